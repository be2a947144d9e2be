package io.openwit.receiver;

import static io.openwit.receiver.ReceiverUnderTest.statusMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.otlp.DecodeLimits;
import io.openwit.common.otlp.OtlpCodec;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The memory budget and the Kafka acknowledgement timeout, with a real broker that stops once the
 * receiver knows it: a request sent then waits for {@code receiver.kafka_ack_timeout_ms}, holding
 * its bytes meanwhile.
 */
class InFlightBudgetTest {
  /** Long enough for the second request to find the first one still waiting. */
  private static final long ACK_TIMEOUT_MS = 12_000;

  @Test
  void overTheBudgetIs429WithRetryAfterAndASlowAckIs503WithRetryAfter() throws Exception {
    byte[] held = logs(1_000);
    byte[] refused = logs(1_500);
    DecodeLimits limits = DecodeLimits.of(OpenWitConfig.defaults().limits());
    long refusedFootprint = refused.length + OtlpCodec.LOGS.scanProtobuf(refused, limits).decodedBytes();
    long heldFootprint = held.length + OtlpCodec.LOGS.scanProtobuf(held, limits).decodedBytes();
    // Either request fits the budget alone, but the second does not fit beside the first's bytes.
    long budget = refusedFootprint + held.length / 2;
    assertThat(heldFootprint).isLessThan(budget);

    ReceiverUnderTest.Settings settings = ReceiverUnderTest.Settings.defaults()
        .withKafkaAckTimeoutMs(ACK_TIMEOUT_MS).withMaxInFlightBytes(budget);
    TestKafka.Broker broker = TestKafka.start();
    try (ReceiverUnderTest receiver = ReceiverUnderTest.start(settings, broker.bootstrapServers())) {
      assertThat(receiver.postProtobuf("/v1/logs", logs(1)).statusCode()).as("while the broker is up").isEqualTo(200);
      broker.close();
      CompletableFuture<HttpResponse<byte[]>> waiting = CompletableFuture.supplyAsync(() -> post(receiver, held));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (receiver.receiver.inFlightBytes() != held.length && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(receiver.receiver.inFlightBytes()).as("bytes held waiting for Kafka").isEqualTo(held.length);

      HttpResponse<byte[]> overBudget = post(receiver, refused);
      assertThat(overBudget.statusCode()).isEqualTo(429);
      assertThat(overBudget.headers().firstValue("retry-after")).hasValue("1");
      assertThat(statusMessage(overBudget.body())).contains("(receiver.max_in_flight_bytes); retry later");

      HttpResponse<byte[]> unacknowledged = waiting.join();
      assertThat(unacknowledged.statusCode()).isEqualTo(503);
      assertThat(unacknowledged.headers().firstValue("retry-after")).isPresent();
      assertThat(statusMessage(unacknowledged.body())).startsWith("could not make the request durable in Kafka");
      assertThat(receiver.receiver.inFlightBytes()).as("bytes held once answered").isZero();
    } finally {
      broker.close();
    }
  }

  private static HttpResponse<byte[]> post(ReceiverUnderTest receiver, byte[] body) {
    try {
      return receiver.postProtobuf("/v1/logs", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] logs(int records) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < records; i++) {
      scope.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setBody(AnyValue.newBuilder().setStringValue("line " + i + " " + "x".repeat(200))));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope))
        .build().toByteArray();
  }
}
