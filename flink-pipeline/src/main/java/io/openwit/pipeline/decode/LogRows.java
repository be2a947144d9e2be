package io.openwit.pipeline.decode;

import static io.openwit.pipeline.decode.OtlpValues.hexOrNull;
import static io.openwit.pipeline.decode.OtlpValues.nullIfEmpty;
import static io.openwit.pipeline.decode.OtlpValues.timestamp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.openwit.pipeline.decode.OtlpValues.Origin;
import java.util.function.Consumer;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Flattens an OTLP {@link ExportLogsServiceRequest} into rows of {@code TableSchemas.LOGS_SCHEMA},
 * one per log record, in the schema's field order.
 */
public final class LogRows {
  private LogRows() {}

  public static void decode(byte[] payload, Consumer<RowData> out) throws InvalidProtocolBufferException {
    decode(ExportLogsServiceRequest.parseFrom(payload), out);
  }

  public static void decode(ExportLogsServiceRequest request, Consumer<RowData> out) {
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        Origin origin = Origin.of(resourceLogs.getResource(), scopeLogs.getScope());
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          out.accept(row(record, origin));
        }
      }
    }
  }

  private static RowData row(LogRecord record, Origin origin) {
    // The data model says to use the observed time when the event time is unknown.
    long time = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
    GenericRowData row = new GenericRowData(17);
    row.setField(0, timestamp(time));
    row.setField(1, record.getTimeUnixNano());
    row.setField(2, timestamp(record.getObservedTimeUnixNano()));
    row.setField(3, record.getObservedTimeUnixNano());
    row.setField(4, record.getSeverityNumberValue());
    row.setField(5, nullIfEmpty(record.getSeverityText()));
    row.setField(6, record.hasBody() && record.getBody().getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET
        ? StringData.fromString(AttributeValues.render(record.getBody()))
        : null);
    row.setField(7, hexOrNull(record.getTraceId()));
    row.setField(8, hexOrNull(record.getSpanId()));
    row.setField(9, Integer.toUnsignedLong(record.getFlags()));
    row.setField(10, origin.serviceName());
    row.setField(11, origin.resourceAttributes());
    row.setField(12, origin.scopeName());
    row.setField(13, origin.scopeVersion());
    row.setField(14, AttributeValues.toMap(record.getAttributesList()));
    row.setField(15, nullIfEmpty(record.getEventName()));
    row.setField(16, record.getDroppedAttributesCount());
    return row;
  }
}
