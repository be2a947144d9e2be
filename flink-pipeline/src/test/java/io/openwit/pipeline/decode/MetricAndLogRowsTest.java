package io.openwit.pipeline.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.openwit.common.schema.TableSchemas;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

class MetricAndLogRowsTest {
  private static final long T = 1_700_000_000_000_000_000L;

  @Test
  void everyMetricKindBecomesOneRowPerPoint() throws Exception {
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("api"))))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("temperature").setUnit("Cel")
                    .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                        .setTimeUnixNano(T).setAsDouble(21.5))))
                .addMetrics(Metric.newBuilder().setName("requests")
                    .setSum(Sum.newBuilder().setIsMonotonic(true)
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T).setStartTimeUnixNano(T - 10)
                            .setAsInt(42)
                            .addExemplars(Exemplar.newBuilder().setTimeUnixNano(T).setAsInt(7)
                                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex("0af7651916cd43dd8448eb211c80319c")))))))
                .addMetrics(Metric.newBuilder().setName("latency")
                    .setHistogram(Histogram.newBuilder()
                        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                        .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T).setCount(6).setSum(60)
                            .setMin(1).setMax(30).addAllBucketCounts(List.of(1L, 2L, 3L))
                            .addAllExplicitBounds(List.of(5.0, 10.0)))))
                .addMetrics(Metric.newBuilder().setName("size")
                    .setExponentialHistogram(ExponentialHistogram.newBuilder()
                        .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(T).setCount(4)
                            .setScale(3).setZeroCount(1)
                            .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2)
                                .addAllBucketCounts(List.of(2L, 1L))))))
                .addMetrics(Metric.newBuilder().setName("gc")
                    .setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder()
                        .setTimeUnixNano(T).setCount(3).setSum(9)
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(2))
                        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(5)))))
                .addMetrics(Metric.newBuilder().setName("no-data"))))
        .build();
    List<RowData> rows = new ArrayList<>();
    MetricRows.decode(request.toByteArray(), rows::add);

    assertThat(rows).hasSize(5);
    assertThat(rows).allSatisfy(row -> assertThat(row.getArity()).isEqualTo(TableSchemas.METRICS_SCHEMA.columns().size()));
    RowSchemaCheck metricsTable = new RowSchemaCheck(TableSchemas.METRICS_SCHEMA);
    assertThat(rows).as("rows the writer takes").allSatisfy(row -> assertThat(metricsTable.refusal(row)).isNull());
    assertThat(rows.stream().map(row -> row.getString(0).toString()))
        .containsExactly("gauge", "sum", "histogram", "exponential_histogram", "summary");
    RowData gauge = rows.get(0);
    assertThat(gauge.getDouble(8)).isEqualTo(21.5);
    assertThat(gauge.isNullAt(9)).isTrue();
    assertThat(gauge.getString(3).toString()).isEqualTo("Cel");
    assertThat(gauge.getString(29).toString()).isEqualTo("api");
    RowData sum = rows.get(1);
    assertThat(sum.getLong(9)).isEqualTo(42);
    assertThat(sum.getBoolean(10)).isTrue();
    assertThat(sum.getString(11).toString()).isEqualTo("CUMULATIVE");
    RowData exemplar = sum.getArray(26).getRow(0, 6);
    assertThat(exemplar.getDouble(2)).isEqualTo(7.0);
    assertThat(exemplar.getString(3).toString()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    RowData histogram = rows.get(2);
    assertThat(histogram.getLong(12)).isEqualTo(6);
    assertThat(histogram.getArray(16).toLongArray()).containsExactly(1, 2, 3);
    assertThat(histogram.getArray(17).toDoubleArray()).containsExactly(5.0, 10.0);
    assertThat(histogram.getDouble(15)).isEqualTo(30);
    RowData exponential = rows.get(3);
    assertThat(exponential.getInt(18)).isEqualTo(3);
    assertThat(exponential.getInt(21)).isEqualTo(-2);
    assertThat(exponential.getArray(22).toLongArray()).containsExactly(2, 1);
    assertThat(exponential.isNullAt(13)).as("no sum was sent").isTrue();
    RowData summary = rows.get(4);
    assertThat(summary.getArray(25).size()).isEqualTo(2);
    assertThat(summary.getArray(25).getRow(1, 2).getDouble(0)).isEqualTo(0.99);
  }

  @Test
  void logRecordsKeepBodyIdsAndFallBackToObservedTime() throws Exception {
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(LogRecord.newBuilder().setObservedTimeUnixNano(T).setSeverityNumberValue(13)
                .setBody(AnyValue.newBuilder().setStringValue("disk almost full"))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex("b7ad6b7169203331"))))
            .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(T + 5)
                .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addValues(
                    KeyValue.newBuilder().setKey("user").setValue(AnyValue.newBuilder().setIntValue(7))))))))
        .build();
    List<RowData> rows = new ArrayList<>();
    LogRows.decode(request.toByteArray(), rows::add);

    assertThat(rows).hasSize(2);
    RowData first = rows.get(0);
    assertThat(first.getArity()).isEqualTo(TableSchemas.LOGS_SCHEMA.columns().size());
    RowSchemaCheck logsTable = new RowSchemaCheck(TableSchemas.LOGS_SCHEMA);
    assertThat(rows).as("rows the writer takes").allSatisfy(row -> assertThat(logsTable.refusal(row)).isNull());
    assertThat(first.getTimestamp(0, 6).getMillisecond()).isEqualTo(T / 1_000_000);
    assertThat(first.getLong(1)).isZero();
    assertThat(first.getInt(4)).isEqualTo(13);
    assertThat(first.getString(6).toString()).isEqualTo("disk almost full");
    assertThat(first.isNullAt(7)).isTrue();
    assertThat(first.getString(8).toString()).isEqualTo("b7ad6b7169203331");
    assertThat(first.getString(10).toString()).isEqualTo("unknown_service");
    assertThat(rows.get(1).getString(6).toString()).isEqualTo("{\"user\":7}");
  }
}
