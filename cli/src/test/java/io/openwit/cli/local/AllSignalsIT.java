package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Logs and metrics (every kind the SDK produces) over OTLP/gRPC and OTLP/HTTP, spans over gRPC,
 * and OTLP/JSON against its protobuf twin, each checked through Trino.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AllSignalsIT {
  private OpenWitUnderTest openWit;

  @BeforeAll
  void start() {
    openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    openWit.close();
  }

  @Test
  void spansOverGrpc() throws Exception {
    SdkSpans.Sent sent = SdkSpans.sendWith(
        OtlpGrpcSpanExporter.builder().setEndpoint(openWit.grpcEndpoint()).setCompression("gzip").build(),
        "grpc-spans", 700);
    assertThat(sent.rejected()).isZero();
    assertThat(sent.acknowledged()).isEqualTo(700);
    assertThat(awaitCount("spans", "grpc-spans", 700)).isEqualTo(700);
    assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE service_name = 'grpc-spans'"
        + " AND kind = 'SERVER' AND name LIKE 'GET /items/%' AND attributes['http.request.method'] = 'GET'"
        + " AND attributes['http.response.status_code'] = '200' AND length(trace_id) = 32"))
        .isEqualTo(700);
    assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE service_name = 'grpc-spans'"
        + " AND status_code = 'ERROR' AND status_message LIKE 'item % not found'"))
        .as("every 97th span has an error status").isEqualTo(8);
  }

  @Test
  void logsOverGrpcAndHttp() throws Exception {
    long grpc = sendLogs(OtlpGrpcLogRecordExporter.builder().setEndpoint(openWit.grpcEndpoint()).build(), "logs-grpc", 300);
    long http = sendLogs(OtlpHttpLogRecordExporter.builder().setEndpoint(openWit.httpEndpoint("logs"))
        .setCompression("gzip").build(), "logs-http", 200);
    assertThat(grpc).isEqualTo(300);
    assertThat(http).isEqualTo(200);
    assertThat(awaitCount("logs", "logs-grpc", 300)).isEqualTo(300);
    assertThat(awaitCount("logs", "logs-http", 200)).isEqualTo(200);
    assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".logs WHERE service_name = 'logs-grpc'"
        + " AND severity_text = 'WARN' AND severity_number = 13 AND body LIKE 'payment retry %'"
        + " AND attributes['order.id'] IS NOT NULL")).isEqualTo(300);

    Map<String, Object> row = row("SELECT severity_number, severity_text, body, attributes['order.id'], trace_id"
        + " FROM openwit.\"default\".logs WHERE service_name = 'logs-http' AND attributes['order.id'] = '17'");
    assertThat(row).containsEntry("severity_number", 13).containsEntry("severity_text", "WARN")
        .containsEntry("body", "payment retry 17").containsEntry("_col3", "17");
    assertThat(row.get("trace_id")).isNull();
  }

  @Test
  void metricsOfEveryKindOverGrpcAndHttp() throws Exception {
    long grpc = sendMetrics(OtlpGrpcMetricExporter.builder().setEndpoint(openWit.grpcEndpoint()).build(), "metrics-grpc");
    long http = sendMetrics(OtlpHttpMetricExporter.builder().setEndpoint(openWit.httpEndpoint("metrics")).build(), "metrics-http");
    assertThat(awaitCount("metrics", "metrics-grpc", grpc)).isEqualTo(grpc);
    assertThat(awaitCount("metrics", "metrics-http", http)).isEqualTo(http);

    for (String service : List.of("metrics-grpc", "metrics-http")) {
      assertThat(row("SELECT metric_type, value_int, is_monotonic, temporality FROM openwit.\"default\".metrics"
              + " WHERE service_name = '" + service + "' AND name = 'orders' ORDER BY time DESC LIMIT 1"))
          .containsEntry("metric_type", "sum").containsEntry("value_int", 5L)
          .containsEntry("is_monotonic", true).containsEntry("temporality", "DELTA");
      assertThat(row("SELECT metric_type, value FROM openwit.\"default\".metrics"
              + " WHERE service_name = '" + service + "' AND name = 'queue.depth' ORDER BY time DESC LIMIT 1"))
          .containsEntry("metric_type", "gauge").containsEntry("value", 12.5);
      Map<String, Object> histogram = row("SELECT metric_type, count, sum, min, max, explicit_bounds, bucket_counts"
          + " FROM openwit.\"default\".metrics WHERE service_name = '" + service + "' AND name = 'latency'"
          + " ORDER BY time DESC LIMIT 1");
      assertThat(histogram).containsEntry("metric_type", "histogram").containsEntry("count", 4L)
          .containsEntry("sum", 166.0).containsEntry("min", 1.0).containsEntry("max", 100.0)
          .containsEntry("explicit_bounds", List.of(10.0, 50.0))
          .containsEntry("bucket_counts", List.of(2L, 0L, 2L));
      Map<String, Object> exponential = row("SELECT metric_type, count, exp_zero_count,"
          + " reduce(exp_positive_bucket_counts, BIGINT '0', (s, x) -> s + x, s -> s) AS positive"
          + " FROM openwit.\"default\".metrics WHERE service_name = '" + service + "' AND name = 'payload.size'"
          + " ORDER BY time DESC LIMIT 1");
      assertThat(exponential).containsEntry("metric_type", "exponential_histogram").containsEntry("count", 3L)
          .containsEntry("exp_zero_count", 0L).containsEntry("positive", 3L);
    }
  }

  @Test
  void otlpJsonLandsExactlyAsItsProtobufTwin() throws Exception {
    String json = """
        {"resourceSpans": [{
          "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "json-twin"}}]},
          "scopeSpans": [{"scope": {"name": "twin-scope", "version": "1.0"}, "spans": [{
            "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "00000000000000a1",
            "parentSpanId": "00000000000000ff", "traceState": "k=v", "name": "twin", "kind": 3,
            "startTimeUnixNano": "1700000000000000123", "endTimeUnixNano": 1700000000500000000,
            "attributes": [
              {"key": "s", "value": {"stringValue": "x"}}, {"key": "b", "value": {"boolValue": true}},
              {"key": "i", "value": {"intValue": "9007199254740993"}}, {"key": "d", "value": {"doubleValue": 2.5}},
              {"key": "y", "value": {"bytesValue": "AQI="}},
              {"key": "a", "value": {"arrayValue": {"values": [{"stringValue": "p"}, {"intValue": 2}]}}},
              {"key": "m", "value": {"kvlistValue": {"values": [{"key": "n", "value": {"doubleValue": 1.5}}]}}}],
            "events": [{"timeUnixNano": "1700000000100000000", "name": "retry",
              "attributes": [{"key": "attempt", "value": {"intValue": 2}}]}],
            "links": [{"traceId": "0af7651916cd43dd8448eb211c80319d", "spanId": "00000000000000b2"}],
            "status": {"code": 2, "message": "bad"}, "flags": 1}]}]}]}
        """;
    HexFormat hex = HexFormat.of();
    Span twin = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(hex.parseHex("0af7651916cd43dd8448eb211c80319c")))
        .setSpanId(ByteString.copyFrom(hex.parseHex("00000000000000a2")))
        .setParentSpanId(ByteString.copyFrom(hex.parseHex("00000000000000ff")))
        .setTraceState("k=v").setName("twin").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(1700000000000000123L).setEndTimeUnixNano(1700000000500000000L)
        .addAttributes(kv("s", AnyValue.newBuilder().setStringValue("x")))
        .addAttributes(kv("b", AnyValue.newBuilder().setBoolValue(true)))
        .addAttributes(kv("i", AnyValue.newBuilder().setIntValue(9007199254740993L)))
        .addAttributes(kv("d", AnyValue.newBuilder().setDoubleValue(2.5)))
        .addAttributes(kv("y", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2}))))
        .addAttributes(kv("a", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
            .addValues(AnyValue.newBuilder().setStringValue("p")).addValues(AnyValue.newBuilder().setIntValue(2)))))
        .addAttributes(kv("m", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
            .addValues(kv("n", AnyValue.newBuilder().setDoubleValue(1.5))))))
        .addEvents(Span.Event.newBuilder().setTimeUnixNano(1700000000100000000L).setName("retry")
            .addAttributes(kv("attempt", AnyValue.newBuilder().setIntValue(2))))
        .addLinks(Span.Link.newBuilder()
            .setTraceId(ByteString.copyFrom(hex.parseHex("0af7651916cd43dd8448eb211c80319d")))
            .setSpanId(ByteString.copyFrom(hex.parseHex("00000000000000b2"))))
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR).setMessage("bad"))
        .setFlags(1)
        .build();
    ExportTraceServiceRequest protobuf = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("json-twin"))))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder().setName("twin-scope").setVersion("1.0"))
                .addSpans(twin)))
        .build();

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> jsonResponse = http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(jsonResponse.statusCode()).isEqualTo(200);
    assertThat(jsonResponse.body()).isEqualTo("{}");
    HttpResponse<byte[]> protobufResponse = http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(protobuf.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(protobufResponse.statusCode()).isEqualTo(200);

    assertThat(awaitCount("spans", "json-twin", 2)).isEqualTo(2);
    Map<String, Object> fromJson = row("SELECT * FROM openwit.\"default\".spans WHERE span_id = '00000000000000a1'");
    Map<String, Object> fromProtobuf = row("SELECT * FROM openwit.\"default\".spans WHERE span_id = '00000000000000a2'");
    fromJson.remove("span_id");
    fromProtobuf.remove("span_id");
    assertThat(fromJson).isEqualTo(fromProtobuf);
    assertThat(fromJson).containsEntry("trace_state", "k=v").containsEntry("kind", "CLIENT")
        .containsEntry("status_code", "ERROR").containsEntry("duration_ns", 499999877L);
    assertThat(fromJson.get("attributes").toString())
        .contains("i=9007199254740993").contains("y=\"AQI=\"").contains("a=[\"p\",2]").contains("m={\"n\":1.5}");
  }

  @Test
  void partiallyInvalidRequestsKeepTheValidItemsAndSaySoInThePartialSuccess() throws Exception {
    HexFormat hex = HexFormat.of();
    Span valid = Span.newBuilder().setName("valid")
        .setTraceId(ByteString.copyFrom(hex.parseHex("0af7651916cd43dd8448eb211c8031aa")))
        .setSpanId(ByteString.copyFrom(hex.parseHex("00000000000000c1")))
        .setStartTimeUnixNano(1700000000000000000L).setEndTimeUnixNano(1700000000000001000L)
        .build();
    Span badTraceId = valid.toBuilder().setName("bad").setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})).build();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("partial"))))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(badTraceId).addSpans(valid)))
        .build();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    var partial = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(response.body())
        .getPartialSuccess();
    assertThat(partial.getRejectedSpans()).isEqualTo(1);
    assertThat(partial.getErrorMessage()).isEqualTo("span 'bad': trace_id must be 16 bytes, was 3");

    HttpResponse<String> allInvalid = http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"no ids\"}]}]}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(allInvalid.statusCode()).isEqualTo(400);
    assertThat(allInvalid.body()).contains("every item of the request is invalid: span 'no ids': trace_id must be 16 bytes, was 0");

    assertThat(awaitCount("spans", "partial", 1)).isEqualTo(1);
    assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE name = 'bad' OR name = 'no ids'"))
        .isZero();
  }

  @Test
  void aRetriedRequestIsStoredOnce() throws Exception {
    HexFormat hex = HexFormat.of();
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 1; i <= 5; i++) {
      scope.addSpans(Span.newBuilder().setName("retried")
          .setTraceId(ByteString.copyFrom(hex.parseHex("0af7651916cd43dd8448eb211c8031bb")))
          .setSpanId(ByteString.copyFrom(hex.parseHex("00000000000000d" + i)))
          .setStartTimeUnixNano(1700000000000000000L).setEndTimeUnixNano(1700000000000002000L));
    }
    byte[] request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("retrier"))))
            .addScopeSpans(scope))
        .build().toByteArray();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int attempt = 0; attempt < 3; attempt++) {
      HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    assertThat(awaitCount("spans", "retrier", 5)).isEqualTo(5);
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static io.opentelemetry.sdk.resources.Resource resource(String service) {
    return io.opentelemetry.sdk.resources.Resource.getDefault().toBuilder()
        .put(AttributeKey.stringKey("service.name"), service).build();
  }

  /** Emits {@code count} log records through the SDK; returns how many the receiver acknowledged. */
  private static long sendLogs(LogRecordExporter exporter, String service, int count) {
    AtomicLong acknowledged = new AtomicLong();
    LogRecordExporter counting = new CountingLogExporter(exporter, acknowledged);
    SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(resource(service))
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(counting).setScheduleDelay(Duration.ofMillis(50)).build())
        .build();
    Logger logger = provider.get("openwit-it");
    for (int i = 0; i < count; i++) {
      logger.logRecordBuilder()
          .setSeverity(Severity.WARN).setSeverityText("WARN")
          .setBody("payment retry " + i)
          .setAttribute(AttributeKey.stringKey("order.id"), Integer.toString(i))
          .emit();
    }
    provider.forceFlush().join(1, TimeUnit.MINUTES);
    provider.shutdown().join(1, TimeUnit.MINUTES);
    return acknowledged.get();
  }

  /**
   * Records a counter (sum), a gauge, an explicit-bucket histogram and an exponential histogram,
   * exports them once with delta temporality; returns the number of data points acknowledged.
   */
  private static long sendMetrics(MetricExporter exporter, String service) {
    AtomicLong points = new AtomicLong();
    MetricExporter counting = new MetricExporter() {
      @Override
      public CompletableResultCode export(Collection<MetricData> metrics) {
        CompletableResultCode result = exporter.export(metrics);
        long size = metrics.stream().mapToLong(metric -> metric.getData().getPoints().size()).sum();
        result.whenComplete(() -> {
          if (result.isSuccess()) {
            points.addAndGet(size);
          }
        });
        return result;
      }

      @Override
      public AggregationTemporality getAggregationTemporality(InstrumentType type) {
        return AggregationTemporalitySelector.deltaPreferred().getAggregationTemporality(type);
      }

      @Override
      public CompletableResultCode flush() {
        return exporter.flush();
      }

      @Override
      public CompletableResultCode shutdown() {
        return exporter.shutdown();
      }
    };
    SdkMeterProvider provider = SdkMeterProvider.builder()
        .setResource(resource(service))
        .registerMetricReader(PeriodicMetricReader.builder(counting).setInterval(Duration.ofHours(1)).build())
        .registerView(InstrumentSelector.builder().setName("latency").build(),
            View.builder().setAggregation(Aggregation.explicitBucketHistogram(List.of(10.0, 50.0))).build())
        .registerView(InstrumentSelector.builder().setName("payload.size").build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build();
    Meter meter = provider.get("openwit-it");
    LongCounter orders = meter.counterBuilder("orders").build();
    orders.add(2);
    orders.add(3);
    meter.gaugeBuilder("queue.depth").build().set(12.5);
    DoubleHistogram latency = meter.histogramBuilder("latency").setUnit("ms").build();
    for (double value : new double[] {1, 5, 60, 100}) {
      latency.record(value, Attributes.empty());
    }
    DoubleHistogram size = meter.histogramBuilder("payload.size").build();
    for (double value : new double[] {100, 200, 400}) {
      size.record(value);
    }
    provider.forceFlush().join(1, TimeUnit.MINUTES);
    provider.shutdown().join(1, TimeUnit.MINUTES);
    return points.get();
  }

  private long awaitCount(String table, String service, long expected) throws Exception {
    return openWit.awaitCount("SELECT count(*) FROM openwit.\"default\"." + table + " WHERE service_name = '"
        + service + "'", expected, Duration.ofMinutes(2));
  }


  /** The single row {@code sql} returns, by column label, with arrays as lists. */
  private Map<String, Object> row(String sql) throws Exception {
    try (Connection connection = openWit.engines.trino.connect();
        ResultSet rows = connection.createStatement().executeQuery(sql)) {
      assertThat(rows.next()).as("a row for " + sql).isTrue();
      ResultSetMetaData columns = rows.getMetaData();
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= columns.getColumnCount(); i++) {
        Object value = rows.getObject(i);
        if (value instanceof java.sql.Array array) {
          value = new ArrayList<>(List.of((Object[]) array.getArray()));
        }
        row.put(columns.getColumnLabel(i), value);
      }
      return row;
    }
  }
}
