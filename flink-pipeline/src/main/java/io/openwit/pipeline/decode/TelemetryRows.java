package io.openwit.pipeline.decode;

import com.google.protobuf.Message;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.openwit.common.wire.Signal;
import java.util.function.Consumer;
import org.apache.flink.table.data.RowData;

/** Turns one decoded OTLP export request of any signal into rows of that signal's table. */
public final class TelemetryRows {
  private TelemetryRows() {}

  /** {@code request} is the export request of {@code signal}, as {@code OtlpCodec.of(signal)} parses it. */
  public static void decode(Signal signal, Message request, Consumer<RowData> out) {
    switch (signal) {
      case TRACES -> SpanRows.decode((ExportTraceServiceRequest) request, out);
      case LOGS -> LogRows.decode((ExportLogsServiceRequest) request, out);
      case METRICS -> MetricRows.decode((ExportMetricsServiceRequest) request, out);
    }
  }
}
