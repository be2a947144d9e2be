package io.openwit.pipeline.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.openwit.common.wire.Signal;
import java.util.function.Consumer;
import org.apache.flink.table.data.RowData;

/** Decodes one OTLP export request of any signal into rows of that signal's table. */
public final class TelemetryRows {
  private TelemetryRows() {}

  public static void decode(Signal signal, byte[] protobufPayload, Consumer<RowData> out)
      throws InvalidProtocolBufferException {
    switch (signal) {
      case TRACES -> SpanRows.decode(protobufPayload, out);
      case LOGS -> LogRows.decode(protobufPayload, out);
      case METRICS -> MetricRows.decode(protobufPayload, out);
    }
  }
}
