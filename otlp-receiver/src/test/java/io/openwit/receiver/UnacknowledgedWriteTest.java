package io.openwit.receiver;

import static io.openwit.receiver.ReceiverUnderTest.grpcFramed;
import static io.openwit.receiver.ReceiverUnderTest.grpcHeader;
import static io.openwit.receiver.ReceiverUnderTest.grpcHeaders;
import static io.openwit.receiver.ReceiverUnderTest.patientClient;
import static io.openwit.receiver.ReceiverUnderTest.statusMessage;
import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpRequestWriter;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * A broker that takes writes but whose acknowledgements never arrive (a proxy between it and the
 * receiver holds back everything it sends): a request waits the whole ack timeout, and it is the
 * receiver that answers it, retryable, not the server's request timeout cutting it short, even for
 * a request that took time to arrive.
 */
class UnacknowledgedWriteTest {
  /** Above the 10 s Armeria's server gives a request by default. */
  private static final long ACK_TIMEOUT_MS = 12_000;
  /** A slow client's upload: the server's request timeout runs meanwhile, the ack timeout not yet. */
  private static final long UPLOAD_MS = 2_000;
  /** Time to answer once the ack timeout passed; well below the 15 s the server adds to the ack timeout. */
  private static final long ANSWER_SLACK_MS = 5_000;
  private static final String LOGS_SERVICE = "opentelemetry.proto.collector.logs.v1.LogsService";
  private static final RequestHeaders HTTP_LOGS = RequestHeaders.of(HttpMethod.POST, "/v1/logs",
      HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf");

  @Test
  void aWriteKafkaTakesButNeverAcknowledgesIsAnsweredRetryableAfterTheAckTimeout() throws Exception {
    ReceiverUnderTest.Settings settings = ReceiverUnderTest.Settings.defaults().withKafkaAckTimeoutMs(ACK_TIMEOUT_MS);
    try (FreezableProxy proxy = new FreezableProxy();
        TestKafka.Broker broker = TestKafka.startBehindProxy(proxy.port())) {
      proxy.forwardTo(broker.clientPort());
      ReceiverUnderTest receiver = ReceiverUnderTest.start(settings, broker.bootstrapServers());
      WebClient http = patientClient(SessionProtocol.H1C, receiver.receiver.httpPort());
      WebClient grpc = patientClient(SessionProtocol.H2C, receiver.receiver.grpcPort());
      // the HTTP and gRPC requests wait side by side
      ExecutorService callers = Executors.newFixedThreadPool(2);
      try {
        assertThat(http.execute(HTTP_LOGS, logs("before, over HTTP")).aggregate().join().status().code())
            .as("before the freeze").isEqualTo(200);
        assertThat(grpcHeader(grpc.execute(grpcHeaders(LOGS_SERVICE), grpcFramed(logs("before, over gRPC")))
            .aggregate().join(), "grpc-status")).as("before the freeze").isEqualTo("0");
        proxy.freeze();

        CompletableFuture<Timed> overHttp = uploadedSlowly(callers, http, HTTP_LOGS, logs("over HTTP"));
        CompletableFuture<Timed> overGrpc =
            uploadedSlowly(callers, grpc, grpcHeaders(LOGS_SERVICE), grpcFramed(logs("over gRPC")));

        Timed httpAnswer = overHttp.join();
        assertThat(httpAnswer.answer().status().code()).isEqualTo(503);
        assertThat(httpAnswer.answer().headers().get(HttpHeaderNames.RETRY_AFTER)).as("Retry-After").isNotNull();
        assertThat(statusMessage(httpAnswer.answer().content().array()))
            .startsWith("could not make the request durable in Kafka");
        assertThat(httpAnswer.millis()).as("ms until the HTTP answer")
            .isBetween(UPLOAD_MS + ACK_TIMEOUT_MS, UPLOAD_MS + ACK_TIMEOUT_MS + ANSWER_SLACK_MS);

        Timed grpcAnswer = overGrpc.join();
        assertThat(grpcHeader(grpcAnswer.answer(), "grpc-status")).as("UNAVAILABLE").isEqualTo("14");
        assertThat(grpcHeader(grpcAnswer.answer(), "grpc-message"))
            .startsWith("could not make the request durable in Kafka");
        assertThat(grpcAnswer.millis()).as("ms until the gRPC answer")
            .isBetween(UPLOAD_MS + ACK_TIMEOUT_MS, UPLOAD_MS + ACK_TIMEOUT_MS + ANSWER_SLACK_MS);

        assertThat(receiver.receiver.inFlightBytes()).as("bytes held once answered").isZero();
        assertThat(TestKafka.recordCount(broker.directBootstrapServers(), receiver.topics.logs()))
            .as("records the broker took, acknowledged or not").isEqualTo(4);
      } finally {
        // the proxy's connections closed first, so the producer's close does not wait for answers it never gets
        proxy.close();
        callers.shutdownNow();
        receiver.close();
      }
    }
  }

  private record Timed(AggregatedHttpResponse answer, long millis) {}

  /** Sends the headers and half the body at once, the rest {@link #UPLOAD_MS} later, and times the answer. */
  private static CompletableFuture<Timed> uploadedSlowly(
      ExecutorService executor, WebClient client, RequestHeaders headers, byte[] body) {
    return CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      HttpRequestWriter request = HttpRequest.streaming(headers);
      CompletableFuture<AggregatedHttpResponse> answer = client.execute(request).aggregate();
      int half = body.length / 2;
      request.write(HttpData.copyOf(body, 0, half));
      try {
        Thread.sleep(UPLOAD_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while uploading", e);
      }
      request.write(HttpData.copyOf(body, half, body.length - half));
      request.close();
      return new Timed(answer.join(), (System.nanoTime() - start) / 1_000_000);
    }, executor);
  }

  private static byte[] logs(String line) {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(
            ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L)
                .setBody(AnyValue.newBuilder().setStringValue(line)))))
        .build().toByteArray();
  }
}
