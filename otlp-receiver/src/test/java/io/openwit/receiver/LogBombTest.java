package io.openwit.receiver;

import static io.openwit.receiver.ReceiverUnderTest.statusMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.openwit.common.otlp.OtlpBombs;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Four parallel requests of 16 MB, each 8 million empty log records (about 700 MB of heap each
 * once decoded), against a receiver whose JVM has a heap of 768 MB (this module's surefire
 * setting): they are refused before they are decoded, the receiver stays up and serves the next
 * request. Prints the heap's peak while they are refused.
 */
class LogBombTest {
  private static final int BOMB_RECORDS = 8_000_000;

  @Test
  void fourBombsAreRefusedByTheItemsLimitAndTheReceiverServesOn() throws Exception {
    try (ReceiverUnderTest receiver = ReceiverUnderTest.start(ReceiverUnderTest.Settings.defaults())) {
      List<HttpResponse<byte[]>> answers = fourBombs(receiver, "items limit");
      for (HttpResponse<byte[]> answer : answers) {
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(statusMessage(answer.body()))
            .isEqualTo("request holds more than 100000 log records (limits.max_items_per_request)");
      }
      assertServesANormalRequest(receiver);
    }
  }

  @Test
  void withoutAnItemsLimitTheMemoryBudgetRefusesThem() throws Exception {
    try (ReceiverUnderTest receiver = ReceiverUnderTest.start(
        ReceiverUnderTest.Settings.defaults().withMaxItemsPerRequest(10 * BOMB_RECORDS))) {
      List<HttpResponse<byte[]>> answers = fourBombs(receiver, "memory budget");
      for (HttpResponse<byte[]> answer : answers) {
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(statusMessage(answer.body()))
            .startsWith("decoding this request would take about ")
            .endsWith("bytes of memory, more than the receiver's budget of 268435456 bytes"
                + " (receiver.max_in_flight_bytes)");
      }
      assertServesANormalRequest(receiver);
    }
  }

  private static List<HttpResponse<byte[]>> fourBombs(ReceiverUnderTest receiver, String refusedBy) throws Exception {
    byte[] bomb = OtlpBombs.emptyLogRecords(BOMB_RECORDS);
    assertThat((long) bomb.length).isLessThanOrEqualTo(receiver.config.receiver().maxRequestBytes());
    System.gc();
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    List<CompletableFuture<HttpResponse<byte[]>>> sent = IntStream.range(0, 4)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> post(receiver, bomb))).toList();
    List<HttpResponse<byte[]>> answers = sent.stream().map(CompletableFuture::join).toList();
    long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    System.out.printf("peak heap while four bombs of %d bytes were refused (%s): %d MB of %d MB%n",
        bomb.length, refusedBy, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
    return answers;
  }

  private static void assertServesANormalRequest(ReceiverUnderTest receiver) throws Exception {
    long before = TestKafka.recordCount(receiver.topics.logs());
    byte[] normal = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(1_700_000_000_000_000_000L).setBody(AnyValue.newBuilder().setStringValue("after")))))
        .build().toByteArray();
    assertThat(receiver.postProtobuf("/v1/logs", normal).statusCode()).isEqualTo(200);
    assertThat(TestKafka.recordCount(receiver.topics.logs())).as("only the normal request in Kafka").isEqualTo(before + 1);
    assertThat(receiver.receiver.inFlightBytes()).isZero();
  }

  private static HttpResponse<byte[]> post(ReceiverUnderTest receiver, byte[] body) {
    try {
      return receiver.postProtobuf("/v1/logs", body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

}
