package io.openwit.common.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** OTLP/JSON as the specification encodes it, decoded to the same message as its protobuf twin. */
class OtlpCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void spansWithHexIdsEnumsAsIntegersAndInt64AsStringsOrNumbers() throws Exception {
    String json = """
        {"resourceSpans": [{
          "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "cart"}}]},
          "scopeSpans": [{
            "scope": {"name": "io.opentelemetry.servlet", "version": "2.1"},
            "spans": [{
              "traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "eee19b7ec3c1b174",
              "parentSpanId": "eee19b7ec3c1b173",
              "name": "GET /cart",
              "kind": 2,
              "startTimeUnixNano": "1544712660000000000",
              "endTimeUnixNano": 1544712661000000000,
              "attributes": [
                {"key": "s", "value": {"stringValue": "text"}},
                {"key": "b", "value": {"boolValue": true}},
                {"key": "i", "value": {"intValue": "-9007199254740993"}},
                {"key": "d", "value": {"doubleValue": 0.5}},
                {"key": "bytes", "value": {"bytesValue": "AQID"}},
                {"key": "arr", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": 1}]}}},
                {"key": "kv", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": false}}]}}},
                {"key": "empty", "value": {}}
              ],
              "links": [{"traceId": "00000000000000000000000000000001", "spanId": "0000000000000002"}],
              "status": {"code": 2, "message": "boom"},
              "someFutureField": {"ignored": true}
            }]
          }]
        }]}
        """;
    Span span = Span.newBuilder()
        .setTraceId(bytes("5b8efff798038103d269b633813fc60c"))
        .setSpanId(bytes("eee19b7ec3c1b174"))
        .setParentSpanId(bytes("eee19b7ec3c1b173"))
        .setName("GET /cart")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1544712660000000000L)
        .setEndTimeUnixNano(1544712661000000000L)
        .addAttributes(kv("s", AnyValue.newBuilder().setStringValue("text")))
        .addAttributes(kv("b", AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(kv("i", AnyValue.newBuilder().setIntValue(-9007199254740993L)))
        .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(0.5)))
        .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3}))))
        .addAttributes(kv("arr", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(AnyValue.newBuilder().setStringValue("a"))
            .addValues(AnyValue.newBuilder().setIntValue(1)))))
        .addAttributes(kv("kv", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(kv("k", AnyValue.newBuilder().setBoolValue(false))))))
        .addAttributes(kv("empty", AnyValue.newBuilder()))
        .addLinks(Span.Link.newBuilder()
            .setTraceId(bytes("00000000000000000000000000000001"))
            .setSpanId(bytes("0000000000000002")))
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR)
            .setMessage("boom"))
        .build();
    ExportTraceServiceRequest expected = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("cart"))))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
                    .setName("io.opentelemetry.servlet").setVersion("2.1"))
                .addSpans(span)))
        .build();

    assertThat(OtlpCodec.TRACES.parseJson(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    assertThat(OtlpCodec.TRACES.parseProtobuf(expected.toByteArray())).isEqualTo(expected);
  }

  @Test
  void logsWithEnumNamesAndIds() throws Exception {
    String json = """
        {"resourceLogs": [{"scopeLogs": [{"logRecords": [{
          "timeUnixNano": "1700000000000000001",
          "severityNumber": "SEVERITY_NUMBER_WARN",
          "severityText": "WARN",
          "body": {"stringValue": "disk almost full"},
          "traceId": "0af7651916cd43dd8448eb211c80319c",
          "spanId": "b7ad6b7169203331",
          "eventName": "disk.alert"
        }]}]}]}
        """;
    LogRecord record = LogRecord.newBuilder()
        .setTimeUnixNano(1700000000000000001L)
        .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
        .setSeverityText("WARN")
        .setBody(AnyValue.newBuilder().setStringValue("disk almost full"))
        .setTraceId(bytes("0af7651916cd43dd8448eb211c80319c"))
        .setSpanId(bytes("b7ad6b7169203331"))
        .setEventName("disk.alert")
        .build();
    ExportLogsServiceRequest expected = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
        .build();
    assertThat(OtlpCodec.LOGS.parseJson(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
  }

  @Test
  void refusalsSayWhatIsWrong() {
    assertThatThrownBy(() -> OtlpCodec.TRACES.parseJson("[1]".getBytes()))
        .isInstanceOf(InvalidOtlpException.class).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> OtlpCodec.TRACES.parseJson("{\"resourceSpans\": 3}".getBytes()))
        .isInstanceOf(InvalidOtlpException.class).hasMessageStartingWith("body is not a valid OTLP/JSON ExportTraceServiceRequest");
    assertThatThrownBy(() -> OtlpCodec.METRICS.parseProtobuf(new byte[] {(byte) 0xff}))
        .isInstanceOf(InvalidOtlpException.class).hasMessageStartingWith("body is not a valid protobuf ExportMetricsServiceRequest");
  }

  @Test
  void invalidItemsAreDroppedAndCountedWhileValidOnesAreKept() {
    Span valid = Span.newBuilder().setName("ok")
        .setTraceId(bytes("5b8efff798038103d269b633813fc60c")).setSpanId(bytes("eee19b7ec3c1b174")).build();
    Span shortTraceId = valid.toBuilder().setName("short").setTraceId(bytes("0102030405")).build();
    Span zeroSpanId = valid.toBuilder().setName("zero").setSpanId(bytes("0000000000000000")).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(shortTraceId).addSpans(valid).addSpans(zeroSpanId)))
        .build();

    OtlpCodec.Checked checked = OtlpCodec.TRACES.check(request);
    assertThat(checked.rejected()).isEqualTo(2);
    assertThat(checked.nothingKept()).isFalse();
    assertThat(checked.reason()).isEqualTo("span 'short': trace_id must be 16 bytes, was 5 (and 1 more invalid items)");
    assertThat(((ExportTraceServiceRequest) checked.accepted()).getResourceSpans(0).getScopeSpans(0).getSpansList())
        .containsExactly(valid);
    assertThat(OtlpCodec.toJson(OtlpCodec.TRACES.partialSuccessResponse(2, "why")))
        .isEqualTo("{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"why\"}}");

    OtlpCodec.Checked allBad = OtlpCodec.TRACES.check(ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(zeroSpanId)))
        .build());
    assertThat(allBad.nothingKept()).isTrue();
    assertThat(allBad.reason()).isEqualTo("span 'zero': span_id is all zeros, which OTLP defines as invalid");

    OtlpCodec.Checked untouched = OtlpCodec.TRACES.check(request.toBuilder().clearResourceSpans().build());
    assertThat(untouched.rejected()).isZero();
    assertThat(untouched.nothingKept()).isFalse();
  }

  @Test
  void logsWithMalformedIdsAndMetricsWithoutNamesAreRejected() {
    ExportLogsServiceRequest logs = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(LogRecord.newBuilder().setSpanId(bytes("01")))
            .addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("fine")))))
        .build();
    OtlpCodec.Checked checkedLogs = OtlpCodec.LOGS.check(logs);
    assertThat(checkedLogs.rejected()).isEqualTo(1);
    assertThat(checkedLogs.reason()).isEqualTo("log record: span_id must be 8 bytes, was 1");

    io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest metrics =
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
                .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                    .addMetrics(io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                        .setGauge(io.opentelemetry.proto.metrics.v1.Gauge.newBuilder()
                            .addDataPoints(io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder().setAsInt(1))
                            .addDataPoints(io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder().setAsInt(2))))))
            .build();
    OtlpCodec.Checked checkedMetrics = OtlpCodec.METRICS.check(metrics);
    assertThat(checkedMetrics.rejected()).as("each point of the nameless metric").isEqualTo(2);
    assertThat(checkedMetrics.nothingKept()).isTrue();
  }

  @Test
  void emptyResponsesPrintAsEmptyJsonObjects() {
    assertThat(OtlpCodec.toJson(OtlpCodec.LOGS.emptyResponse())).isEqualTo("{}");
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HEX.parseHex(hex));
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
