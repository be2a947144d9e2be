package io.openwit.common.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * Item-level checks of export requests. Invalid items are dropped from the request and counted,
 * so the valid ones around them are kept and the client learns of the rest through OTLP partial
 * success.
 */
final class OtlpValidation {
  private OtlpValidation() {}

  /** Counts rejections and keeps the first reason. */
  static final class Rejections {
    private long count;
    private long kept;
    private String firstReason;

    void keep() {
      kept++;
    }

    long kept() {
      return kept;
    }

    void reject(String reason) {
      if (count++ == 0) {
        firstReason = reason;
      }
    }

    long count() {
      return count;
    }

    String message() {
      return count == 0 ? "" : count == 1 ? firstReason : firstReason + " (and " + (count - 1) + " more invalid items)";
    }
  }

  static ExportTraceServiceRequest traces(ExportTraceServiceRequest request, Rejections rejections) {
    if (request.getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
        .flatMap(s -> s.getSpansList().stream()).allMatch(span -> spanProblem(span) == null)) {
      return request;
    }
    ExportTraceServiceRequest.Builder kept = request.toBuilder().clearResourceSpans();
    for (ResourceSpans resource : request.getResourceSpansList()) {
      ResourceSpans.Builder keptResource = resource.toBuilder().clearScopeSpans();
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        ScopeSpans.Builder keptScope = scope.toBuilder().clearSpans();
        for (Span span : scope.getSpansList()) {
          String problem = spanProblem(span);
          if (problem == null) {
            keptScope.addSpans(span);
            rejections.keep();
          } else {
            rejections.reject("span '" + span.getName() + "': " + problem);
          }
        }
        keptResource.addScopeSpans(keptScope);
      }
      kept.addResourceSpans(keptResource);
    }
    return kept.build();
  }

  static ExportLogsServiceRequest logs(ExportLogsServiceRequest request, Rejections rejections) {
    if (request.getResourceLogsList().stream().flatMap(r -> r.getScopeLogsList().stream())
        .flatMap(s -> s.getLogRecordsList().stream()).allMatch(record -> logProblem(record) == null)) {
      return request;
    }
    ExportLogsServiceRequest.Builder kept = request.toBuilder().clearResourceLogs();
    for (ResourceLogs resource : request.getResourceLogsList()) {
      ResourceLogs.Builder keptResource = resource.toBuilder().clearScopeLogs();
      for (ScopeLogs scope : resource.getScopeLogsList()) {
        ScopeLogs.Builder keptScope = scope.toBuilder().clearLogRecords();
        for (LogRecord record : scope.getLogRecordsList()) {
          String problem = logProblem(record);
          if (problem == null) {
            keptScope.addLogRecords(record);
            rejections.keep();
          } else {
            rejections.reject("log record: " + problem);
          }
        }
        keptResource.addScopeLogs(keptScope);
      }
      kept.addResourceLogs(keptResource);
    }
    return kept.build();
  }

  static ExportMetricsServiceRequest metrics(ExportMetricsServiceRequest request, Rejections rejections) {
    if (request.getResourceMetricsList().stream().flatMap(r -> r.getScopeMetricsList().stream())
        .flatMap(s -> s.getMetricsList().stream()).allMatch(metric -> metricProblem(metric) == null)) {
      return request;
    }
    ExportMetricsServiceRequest.Builder kept = request.toBuilder().clearResourceMetrics();
    for (ResourceMetrics resource : request.getResourceMetricsList()) {
      ResourceMetrics.Builder keptResource = resource.toBuilder().clearScopeMetrics();
      for (ScopeMetrics scope : resource.getScopeMetricsList()) {
        ScopeMetrics.Builder keptScope = scope.toBuilder().clearMetrics();
        for (Metric metric : scope.getMetricsList()) {
          String problem = metricProblem(metric);
          if (problem == null) {
            keptScope.addMetrics(metric);
            rejections.keep();
          } else {
            for (int point = 0; point < Math.max(1, points(metric)); point++) {
              rejections.reject("metric '" + metric.getName() + "': " + problem);
            }
          }
        }
        keptResource.addScopeMetrics(keptScope);
      }
      kept.addResourceMetrics(keptResource);
    }
    return kept.build();
  }

  private static String spanProblem(Span span) {
    String problem = id("trace_id", span.getTraceId(), 16, false);
    if (problem == null) {
      problem = id("span_id", span.getSpanId(), 8, false);
    }
    if (problem == null) {
      problem = id("parent_span_id", span.getParentSpanId(), 8, true);
    }
    return problem;
  }

  private static String logProblem(LogRecord record) {
    String problem = id("trace_id", record.getTraceId(), 16, true);
    return problem != null ? problem : id("span_id", record.getSpanId(), 8, true);
  }

  private static String metricProblem(Metric metric) {
    if (metric.getName().isEmpty()) {
      return "a metric needs a name";
    }
    if (metric.hasHistogram()) {
      for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
        if (point.getBucketCountsCount() > 0 && point.getBucketCountsCount() != point.getExplicitBoundsCount() + 1) {
          return "histogram has " + point.getBucketCountsCount() + " bucket counts for "
              + point.getExplicitBoundsCount() + " bounds (needs bounds + 1)";
        }
      }
    }
    return null;
  }

  static int points(Metric metric) {
    return switch (metric.getDataCase()) {
      case GAUGE -> metric.getGauge().getDataPointsCount();
      case SUM -> metric.getSum().getDataPointsCount();
      case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> metric.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 0;
    };
  }

  /** A problem with an id field, or null: ids have a fixed length and are never all zeros. */
  private static String id(String field, ByteString id, int length, boolean optional) {
    if (id.isEmpty() && optional) {
      return null;
    }
    if (id.size() != length) {
      return field + " must be " + length + " bytes, was " + id.size();
    }
    for (int i = 0; i < length; i++) {
      if (id.byteAt(i) != 0) {
        return null;
      }
    }
    return field + " is all zeros, which OTLP defines as invalid";
  }
}
