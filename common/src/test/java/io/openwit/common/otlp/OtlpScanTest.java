package io.openwit.common.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.config.OpenWitConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The decode limits, checked by scanning a request before any of it is built. */
class OtlpScanTest {
  private static final DecodeLimits DEFAULTS = DecodeLimits.of(OpenWitConfig.defaults().limits());
  private static final DecodeLimits SMALL = new DecodeLimits(10, 3, 16, 2);

  @Test
  void aLogBombOfEightMillionEmptyRecordsIsRefusedWithoutBuildingThem() throws Exception {
    byte[] bomb = OtlpBombs.emptyLogRecords(8_000_000);
    assertThat(bomb.length).isGreaterThan(16_000_000);
    OtlpCodec.LOGS.scanProtobuf(OtlpBombs.emptyLogRecords(1), DEFAULTS); // loads the classes, which is not the scan's cost

    long before = allocatedBytes();
    assertThatThrownBy(() -> OtlpCodec.LOGS.scanProtobuf(bomb, DEFAULTS))
        .isInstanceOfSatisfying(OtlpLimitException.class, e -> assertThat(e.tooLarge()).isTrue())
        .hasMessage("request holds more than 100000 log records (limits.max_items_per_request)");
    assertThat(allocatedBytes() - before).as("bytes allocated while scanning 8M records").isLessThan(1_000_000);
  }

  @Test
  void itemsUpToTheLimitPassAndAreCountedWithTheirDecodedSize() throws Exception {
    OtlpCodec.Scan scan = OtlpCodec.LOGS.scanProtobuf(OtlpBombs.emptyLogRecords(10), SMALL);
    assertThat(scan.items()).isEqualTo(10);
    assertThat(scan.decodedBytes()).as("ten records, a scope, a resource and the request")
        .isEqualTo(13 * OtlpScanner.MESSAGE_BYTES);

    assertThatThrownBy(() -> OtlpCodec.LOGS.scanProtobuf(OtlpBombs.emptyLogRecords(11), SMALL))
        .hasMessage("request holds more than 10 log records (limits.max_items_per_request)");
  }

  @Test
  void metricItemsAreDataPoints() throws Exception {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int i = 0; i < 11; i++) {
      gauge.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i));
    }
    byte[] request = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m").setGauge(gauge))))
        .build().toByteArray();
    assertThatThrownBy(() -> OtlpCodec.METRICS.scanProtobuf(request, SMALL))
        .hasMessage("request holds more than 10 metric data points (limits.max_items_per_request)");
  }

  @Test
  void tooManyAttributesOnAnItemOrAResourceIsAShapeError() throws Exception {
    Span.Builder span = span();
    Resource.Builder resource = Resource.newBuilder();
    for (int i = 0; i < 4; i++) {
      span.addAttributes(stringAttribute("k" + i, "v"));
      resource.addAttributes(stringAttribute("r" + i, "v"));
    }
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(traces(resource.build(), span.build()), SMALL))
        .isInstanceOfSatisfying(OtlpLimitException.class, e -> assertThat(e.tooLarge()).isFalse())
        .hasMessage("a Resource has more than 3 attributes (limits.max_attributes)");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(traces(Resource.getDefaultInstance(), span.build()), SMALL))
        .hasMessage("a Span has more than 3 attributes (limits.max_attributes)");

    Span threeAttributes = span().addAttributes(stringAttribute("a", "v")).addAttributes(stringAttribute("b", "v"))
        .addAttributes(stringAttribute("c", "v")).build();
    assertThat(OtlpCodec.TRACES.scanProtobuf(traces(Resource.getDefaultInstance(), threeAttributes), SMALL).items())
        .isEqualTo(1);
  }

  @Test
  void anAttributeValueOverTheLimitIsRefusedButALongLogBodyIsNot() throws Exception {
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(
        traces(Resource.getDefaultInstance(), span().addAttributes(stringAttribute("k", "x".repeat(17))).build()),
        SMALL))
        .isInstanceOfSatisfying(OtlpLimitException.class, e -> assertThat(e.tooLarge()).isFalse())
        .hasMessage("an attribute value of 17 bytes is longer than 16 bytes (limits.max_attribute_value_bytes)");

    byte[] longBody = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setBody(AnyValue.newBuilder().setStringValue("x".repeat(1_000)))))).build().toByteArray();
    assertThat(OtlpCodec.LOGS.scanProtobuf(longBody, SMALL).items()).isEqualTo(1);
  }

  @Test
  void valuesNestedDeeperThanTheLimitAreRefused() throws Exception {
    assertThat(OtlpCodec.TRACES.scanProtobuf(
        traces(Resource.getDefaultInstance(), span().addAttributes(nested(2)).build()), SMALL).items()).isEqualTo(1);
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(
        traces(Resource.getDefaultInstance(), span().addAttributes(nested(3)).build()), SMALL))
        .isInstanceOfSatisfying(OtlpLimitException.class, e -> assertThat(e.tooLarge()).isFalse())
        .hasMessage("an attribute or body value nests arrays and key-value lists more than 2 deep"
            + " (limits.max_nesting_depth)");
  }

  @Test
  void jsonRequestsAreHeldToTheSameLimits() throws Exception {
    StringBuilder records = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      records.append(i == 0 ? "" : ",").append("{}");
    }
    assertThatThrownBy(() -> OtlpCodec.LOGS.scanJson(
        ("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + records + "]}]}]}").getBytes(StandardCharsets.UTF_8),
        SMALL))
        .hasMessage("request holds more than 10 log records (limits.max_items_per_request)");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanJson(
        ("{\"resource_spans\":[{\"resource\":{\"attributes\":[{\"key\":\"a\"},{\"key\":\"b\"},{\"key\":\"c\"},"
            + "{\"key\":\"d\"}]}}]}").getBytes(StandardCharsets.UTF_8), SMALL))
        .hasMessage("a Resource has more than 3 attributes (limits.max_attributes)");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanJson(
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":"
            + "{\"stringValue\":\"" + "x".repeat(17) + "\"}}]}]}]}]}").getBytes(StandardCharsets.UTF_8), SMALL))
        .hasMessage("an attribute value of 17 bytes is longer than 16 bytes (limits.max_attribute_value_bytes)");
    String deep = "{\"arrayValue\":{\"values\":[{\"arrayValue\":{\"values\":[{\"kvlistValue\":{\"values\":[]}}]}}]}}";
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanJson(
        ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":" + deep
            + "}]}]}]}]}").getBytes(StandardCharsets.UTF_8), SMALL))
        .hasMessageEndingWith("(limits.max_nesting_depth)");
  }

  @Test
  void aJsonRequestWithinTheLimitsScansAndCountsItsItems() throws Exception {
    String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"a\",\"someFutureField\":{\"x\":[1,2]}},"
        + "{\"name\":\"b\",\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"7\"}}]}]}]}]}";
    OtlpCodec.Scan scan = OtlpCodec.TRACES.scanJson(json.getBytes(StandardCharsets.UTF_8), SMALL);
    assertThat(scan.items()).isEqualTo(2);
    assertThat(scan.decodedBytes()).isGreaterThan(json.length());
  }

  @Test
  void malformedBodiesAreInvalidNotOverALimit() {
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(new byte[] {(byte) 0xff, 0x01, 0x02}, SMALL))
        .isNotInstanceOf(OtlpLimitException.class)
        .hasMessageStartingWith("body is not a valid protobuf ExportTraceServiceRequest");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanProtobuf(new byte[] {0x0a, 0x7f}, SMALL))
        .hasMessageStartingWith("body is not a valid protobuf ExportTraceServiceRequest");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanJson("[1]".getBytes(StandardCharsets.UTF_8), SMALL))
        .hasMessage("body is not a JSON object: expected an OTLP/JSON ExportTraceServiceRequest");
    assertThatThrownBy(() -> OtlpCodec.TRACES.scanJson("{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8), SMALL))
        .hasMessageStartingWith("body is not valid JSON");
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  private static Span.Builder span() {
    return Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
        .setName("s");
  }

  private static KeyValue stringAttribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  /** An attribute whose value is {@code depth} arrays, one inside the other. */
  private static KeyValue nested(int depth) {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int i = 0; i < depth; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    return KeyValue.newBuilder().setKey("nested").setValue(value).build();
  }

  private static byte[] traces(Resource resource, Span span) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource)
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray();
  }
}
