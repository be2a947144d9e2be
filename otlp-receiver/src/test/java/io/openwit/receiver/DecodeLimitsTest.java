package io.openwit.receiver;

import static io.openwit.receiver.ReceiverUnderTest.grpcHeader;
import static io.openwit.receiver.ReceiverUnderTest.statusMessage;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decode limits at their defaults, over HTTP against a real broker: each refused request gets
 * the status and a message naming the limit's key, and nothing of it reaches Kafka.
 */
class DecodeLimitsTest {
  private static ReceiverUnderTest receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = ReceiverUnderTest.start(ReceiverUnderTest.Settings.defaults());
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void moreItemsThanTheLimitIs413AndNothingReachesKafka() throws Exception {
    LogRecord empty = LogRecord.getDefaultInstance();
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i <= 100_000; i++) {
      scope.addLogRecords(empty);
    }
    byte[] request = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope))
        .build().toByteArray();

    HttpResponse<byte[]> response = receiver.postProtobuf("/v1/logs", request);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(statusMessage(response.body()))
        .isEqualTo("request holds more than 100000 log records (limits.max_items_per_request)");
    assertThat(TestKafka.recordCount(receiver.topics.logs())).isZero();
  }

  @Test
  void tooManyAttributesOnASpanIs400() throws Exception {
    Span.Builder span = span();
    for (int i = 0; i < 129; i++) {
      span.addAttributes(attribute("k" + i, AnyValue.newBuilder().setStringValue("v").build()));
    }
    assertRefusedTraces(span.build(), 400, "a Span has more than 128 attributes (limits.max_attributes)");
  }

  @Test
  void anAttributeValueLongerThanTheLimitIs400() throws Exception {
    Span span = span().addAttributes(attribute("big", AnyValue.newBuilder().setStringValue("x".repeat(65_537)).build()))
        .build();
    assertRefusedTraces(span, 400,
        "an attribute value of 65537 bytes is longer than 65536 bytes (limits.max_attribute_value_bytes)");
  }

  @Test
  void aValueNestedDeeperThanTheLimitIs400() throws Exception {
    AnyValue value = AnyValue.newBuilder().setIntValue(1).build();
    for (int i = 0; i < 33; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    assertRefusedTraces(span().addAttributes(attribute("deep", value)).build(), 400,
        "an attribute or body value nests arrays and key-value lists more than 32 deep (limits.max_nesting_depth)");
  }

  @Test
  void aJsonRequestOverTheItemsLimitIs413InJson() throws Exception {
    StringBuilder records = new StringBuilder("{}");
    for (int i = 0; i < 100_000; i++) {
      records.append(",{}");
    }
    HttpResponse<byte[]> response = receiver.post("/v1/logs", "application/json", null,
        ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + records + "]}]}]}").getBytes(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"code\":8")
        .contains("(limits.max_items_per_request)");
    assertThat(TestKafka.recordCount(receiver.topics.logs())).isZero();
  }

  @Test
  void overGrpcTheItemsLimitIsResourceExhaustedAndAShapeLimitInvalidArgument() throws Exception {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i <= 100_000; i++) {
      scope.addLogRecords(LogRecord.getDefaultInstance());
    }
    long logsBefore = TestKafka.recordCount(receiver.topics.logs());
    AggregatedHttpResponse tooMany = receiver.grpcExport("opentelemetry.proto.collector.logs.v1.LogsService",
        ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope))
            .build().toByteArray());
    assertThat(grpcHeader(tooMany, "grpc-status")).isEqualTo("8");
    assertThat(grpcHeader(tooMany, "grpc-message")).contains("(limits.max_items_per_request)");
    assertThat(TestKafka.recordCount(receiver.topics.logs())).isEqualTo(logsBefore);

    Span.Builder span = span();
    for (int i = 0; i < 129; i++) {
      span.addAttributes(attribute("k" + i, AnyValue.newBuilder().setBoolValue(true).build()));
    }
    AggregatedHttpResponse misshapen =
        receiver.grpcExport("opentelemetry.proto.collector.trace.v1.TraceService", traces(span.build()));
    assertThat(grpcHeader(misshapen, "grpc-status")).isEqualTo("3");
    assertThat(grpcHeader(misshapen, "grpc-message")).contains("(limits.max_attributes)");
  }

  @Test
  void aGzipBombIsRefusedQuicklyWithoutInflatingIt() throws Exception {
    // 1 GiB of zeros as 1,024 gzip members of 1 MiB each (a gzip stream may hold many): about 1 MB
    ByteArrayOutputStream member = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(member)) {
      gzip.write(new byte[1 << 20]);
    }
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    for (int i = 0; i < 1_024; i++) {
      member.writeTo(bomb);
    }
    long before = TestKafka.recordCount(receiver.topics.traces());
    long start = System.nanoTime();
    HttpResponse<byte[]> response = receiver.post("/v1/traces", "application/x-protobuf", "gzip", bomb.toByteArray());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(statusMessage(response.body()))
        .isEqualTo("decompressed request body exceeds the limit of 16777216 bytes (receiver.max_request_bytes)");
    assertThat(millis).as("milliseconds to refuse a gzip body of 1 GiB").isLessThan(5_000);
    assertThat(TestKafka.recordCount(receiver.topics.traces())).isEqualTo(before);
  }

  @Test
  void aRequestWithinTheLimitsIsWrittenToKafka() throws Exception {
    Span.Builder span = span();
    for (int i = 0; i < 128; i++) {
      span.addAttributes(attribute("k" + i, AnyValue.newBuilder().setStringValue("x".repeat(100)).build()));
    }
    long before = TestKafka.recordCount(receiver.topics.traces());
    HttpResponse<byte[]> response = receiver.postProtobuf("/v1/traces", traces(span.build()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(TestKafka.recordCount(receiver.topics.traces())).isEqualTo(before + 1);
  }

  private static void assertRefusedTraces(Span span, int status, String message) throws Exception {
    long before = TestKafka.recordCount(receiver.topics.traces());
    HttpResponse<byte[]> response = receiver.postProtobuf("/v1/traces", traces(span));
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(statusMessage(response.body())).isEqualTo(message);
    assertThat(TestKafka.recordCount(receiver.topics.traces())).as("records in Kafka").isEqualTo(before);
  }

  private static Span.Builder span() {
    byte[] traceId = new byte[16];
    traceId[0] = 1;
    byte[] spanId = new byte[8];
    spanId[0] = 1;
    return Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId)).setName("s");
  }

  private static KeyValue attribute(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static byte[] traces(Span span) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray();
  }
}
