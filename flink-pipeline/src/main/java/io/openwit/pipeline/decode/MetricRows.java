package io.openwit.pipeline.decode;

import static io.openwit.pipeline.decode.OtlpValues.hexOrNull;
import static io.openwit.pipeline.decode.OtlpValues.nullIfEmpty;
import static io.openwit.pipeline.decode.OtlpValues.timestamp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.openwit.pipeline.decode.OtlpValues.Origin;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Flattens an OTLP {@link ExportMetricsServiceRequest} into rows of
 * {@code TableSchemas.METRICS_SCHEMA}: one row per data point of every metric kind.
 */
public final class MetricRows {
  // Field positions in TableSchemas.METRICS_SCHEMA.
  private static final int METRIC_TYPE = 0, NAME = 1, DESCRIPTION = 2, UNIT = 3, TIME = 4,
      TIME_NANOS = 5, START_TIME = 6, START_TIME_NANOS = 7, VALUE = 8, VALUE_INT = 9,
      IS_MONOTONIC = 10, TEMPORALITY = 11, COUNT = 12, SUM = 13, MIN = 14, MAX = 15,
      BUCKET_COUNTS = 16, EXPLICIT_BOUNDS = 17, EXP_SCALE = 18, EXP_ZERO_COUNT = 19,
      EXP_ZERO_THRESHOLD = 20, EXP_POSITIVE_OFFSET = 21, EXP_POSITIVE_BUCKET_COUNTS = 22,
      EXP_NEGATIVE_OFFSET = 23, EXP_NEGATIVE_BUCKET_COUNTS = 24, QUANTILES = 25, EXEMPLARS = 26,
      FLAGS = 27, ATTRIBUTES = 28, SERVICE_NAME = 29, RESOURCE_ATTRIBUTES = 30, SCOPE_NAME = 31,
      SCOPE_VERSION = 32, FIELD_COUNT = 33;

  private MetricRows() {}

  public static void decode(byte[] payload, Consumer<RowData> out) throws InvalidProtocolBufferException {
    decode(ExportMetricsServiceRequest.parseFrom(payload), out);
  }

  public static void decode(ExportMetricsServiceRequest request, Consumer<RowData> out) {
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        Origin origin = Origin.of(resourceMetrics.getResource(), scopeMetrics.getScope());
        for (Metric metric : scopeMetrics.getMetricsList()) {
          decode(metric, origin, out);
        }
      }
    }
  }

  private static void decode(Metric metric, Origin origin, Consumer<RowData> out) {
    switch (metric.getDataCase()) {
      case GAUGE -> {
        for (NumberDataPoint point : metric.getGauge().getDataPointsList()) {
          out.accept(number(base(metric, "gauge", origin), point));
        }
      }
      case SUM -> {
        for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
          GenericRowData row = number(base(metric, "sum", origin), point);
          row.setField(IS_MONOTONIC, metric.getSum().getIsMonotonic());
          row.setField(TEMPORALITY, temporality(metric.getSum().getAggregationTemporality()));
          out.accept(row);
        }
      }
      case HISTOGRAM -> {
        for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
          GenericRowData row = base(metric, "histogram", origin);
          point(row, point.getTimeUnixNano(), point.getStartTimeUnixNano(), point.getFlags(), point.getAttributesList());
          row.setField(TEMPORALITY, temporality(metric.getHistogram().getAggregationTemporality()));
          row.setField(COUNT, point.getCount());
          row.setField(SUM, point.hasSum() ? point.getSum() : null);
          row.setField(MIN, point.hasMin() ? point.getMin() : null);
          row.setField(MAX, point.hasMax() ? point.getMax() : null);
          row.setField(BUCKET_COUNTS, longs(point.getBucketCountsList()));
          row.setField(EXPLICIT_BOUNDS, new GenericArrayData(
              point.getExplicitBoundsList().stream().mapToDouble(Double::doubleValue).toArray()));
          row.setField(EXEMPLARS, exemplars(point.getExemplarsList()));
          out.accept(row);
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        for (ExponentialHistogramDataPoint point : metric.getExponentialHistogram().getDataPointsList()) {
          GenericRowData row = base(metric, "exponential_histogram", origin);
          point(row, point.getTimeUnixNano(), point.getStartTimeUnixNano(), point.getFlags(), point.getAttributesList());
          row.setField(TEMPORALITY, temporality(metric.getExponentialHistogram().getAggregationTemporality()));
          row.setField(COUNT, point.getCount());
          row.setField(SUM, point.hasSum() ? point.getSum() : null);
          row.setField(MIN, point.hasMin() ? point.getMin() : null);
          row.setField(MAX, point.hasMax() ? point.getMax() : null);
          row.setField(EXP_SCALE, point.getScale());
          row.setField(EXP_ZERO_COUNT, point.getZeroCount());
          row.setField(EXP_ZERO_THRESHOLD, point.getZeroThreshold());
          row.setField(EXP_POSITIVE_OFFSET, point.getPositive().getOffset());
          row.setField(EXP_POSITIVE_BUCKET_COUNTS, longs(point.getPositive().getBucketCountsList()));
          row.setField(EXP_NEGATIVE_OFFSET, point.getNegative().getOffset());
          row.setField(EXP_NEGATIVE_BUCKET_COUNTS, longs(point.getNegative().getBucketCountsList()));
          row.setField(EXEMPLARS, exemplars(point.getExemplarsList()));
          out.accept(row);
        }
      }
      case SUMMARY -> {
        for (SummaryDataPoint point : metric.getSummary().getDataPointsList()) {
          GenericRowData row = base(metric, "summary", origin);
          point(row, point.getTimeUnixNano(), point.getStartTimeUnixNano(), point.getFlags(), point.getAttributesList());
          row.setField(COUNT, point.getCount());
          row.setField(SUM, point.getSum());
          Object[] quantiles = new Object[point.getQuantileValuesCount()];
          for (int i = 0; i < quantiles.length; i++) {
            SummaryDataPoint.ValueAtQuantile quantile = point.getQuantileValues(i);
            quantiles[i] = GenericRowData.of(quantile.getQuantile(), quantile.getValue());
          }
          row.setField(QUANTILES, new GenericArrayData(quantiles));
          out.accept(row);
        }
      }
      case DATA_NOT_SET -> {
        // a metric without data has no points to keep
      }
    }
  }

  private static GenericRowData base(Metric metric, String type, Origin origin) {
    GenericRowData row = new GenericRowData(FIELD_COUNT);
    row.setField(METRIC_TYPE, StringData.fromString(type));
    row.setField(NAME, StringData.fromString(metric.getName()));
    row.setField(DESCRIPTION, nullIfEmpty(metric.getDescription()));
    row.setField(UNIT, nullIfEmpty(metric.getUnit()));
    row.setField(SERVICE_NAME, origin.serviceName());
    row.setField(RESOURCE_ATTRIBUTES, origin.resourceAttributes());
    row.setField(SCOPE_NAME, origin.scopeName());
    row.setField(SCOPE_VERSION, origin.scopeVersion());
    return row;
  }

  private static void point(GenericRowData row, long time, long startTime, int flags, List<KeyValue> attributes) {
    row.setField(TIME, timestamp(time));
    row.setField(TIME_NANOS, time);
    row.setField(START_TIME, startTime == 0 ? null : timestamp(startTime));
    row.setField(START_TIME_NANOS, startTime);
    row.setField(FLAGS, Integer.toUnsignedLong(flags));
    row.setField(ATTRIBUTES, AttributeValues.toMap(attributes));
  }

  private static GenericRowData number(GenericRowData row, NumberDataPoint point) {
    point(row, point.getTimeUnixNano(), point.getStartTimeUnixNano(), point.getFlags(), point.getAttributesList());
    if (point.getValueCase() == NumberDataPoint.ValueCase.AS_INT) {
      row.setField(VALUE, (double) point.getAsInt());
      row.setField(VALUE_INT, point.getAsInt());
    } else if (point.getValueCase() == NumberDataPoint.ValueCase.AS_DOUBLE) {
      row.setField(VALUE, point.getAsDouble());
    }
    row.setField(EXEMPLARS, exemplars(point.getExemplarsList()));
    return row;
  }

  private static StringData temporality(AggregationTemporality temporality) {
    return StringData.fromString(temporality.name().replaceFirst("^AGGREGATION_TEMPORALITY_", ""));
  }

  private static GenericArrayData longs(List<Long> values) {
    return new GenericArrayData(values.stream().mapToLong(Long::longValue).toArray());
  }

  private static GenericArrayData exemplars(List<Exemplar> exemplars) {
    Object[] rows = new Object[exemplars.size()];
    for (int i = 0; i < rows.length; i++) {
      Exemplar exemplar = exemplars.get(i);
      double value = exemplar.getValueCase() == Exemplar.ValueCase.AS_INT
          ? exemplar.getAsInt()
          : exemplar.getAsDouble();
      rows[i] = GenericRowData.of(
          timestamp(exemplar.getTimeUnixNano()),
          exemplar.getTimeUnixNano(),
          value,
          hexOrNull(exemplar.getTraceId()),
          hexOrNull(exemplar.getSpanId()),
          AttributeValues.toMap(exemplar.getFilteredAttributesList()));
    }
    return new GenericArrayData(rows);
  }
}
