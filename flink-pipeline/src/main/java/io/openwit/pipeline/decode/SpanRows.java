package io.openwit.pipeline.decode;

import static io.openwit.pipeline.decode.OtlpValues.hex;
import static io.openwit.pipeline.decode.OtlpValues.hexOrNull;
import static io.openwit.pipeline.decode.OtlpValues.nullIfEmpty;
import static io.openwit.pipeline.decode.OtlpValues.timestamp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.openwit.pipeline.decode.OtlpValues.Origin;
import java.util.function.Consumer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Flattens an OTLP {@link ExportTraceServiceRequest} into rows of {@code TableSchemas.SPANS_SCHEMA},
 * one per span, in the schema's field order.
 */
public final class SpanRows {
  private SpanRows() {}

  public static void decode(byte[] payload, Consumer<RowData> out) throws InvalidProtocolBufferException {
    decode(ExportTraceServiceRequest.parseFrom(payload), out);
  }

  public static void decode(ExportTraceServiceRequest request, Consumer<RowData> out) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        Origin origin = Origin.of(resourceSpans.getResource(), scopeSpans.getScope());
        for (Span span : scopeSpans.getSpansList()) {
          out.accept(row(span, origin));
        }
      }
    }
  }

  private static RowData row(Span span, Origin origin) {
    GenericRowData row = new GenericRowData(24);
    row.setField(0, hex(span.getTraceId()));
    row.setField(1, hex(span.getSpanId()));
    row.setField(2, hexOrNull(span.getParentSpanId()));
    row.setField(3, nullIfEmpty(span.getTraceState()));
    row.setField(4, StringData.fromString(span.getName()));
    row.setField(5, StringData.fromString(span.getKind().name().replaceFirst("^SPAN_KIND_", "")));
    row.setField(6, timestamp(span.getStartTimeUnixNano()));
    row.setField(7, timestamp(span.getEndTimeUnixNano()));
    row.setField(8, span.getStartTimeUnixNano());
    row.setField(9, span.getEndTimeUnixNano());
    row.setField(10, span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
    Status status = span.getStatus();
    row.setField(11, StringData.fromString(status.getCode().name().replaceFirst("^STATUS_CODE_", "")));
    row.setField(12, nullIfEmpty(status.getMessage()));
    row.setField(13, origin.serviceName());
    row.setField(14, origin.resourceAttributes());
    row.setField(15, origin.scopeName());
    row.setField(16, origin.scopeVersion());
    row.setField(17, AttributeValues.toMap(span.getAttributesList()));
    row.setField(18, events(span));
    row.setField(19, links(span));
    row.setField(20, Integer.toUnsignedLong(span.getFlags()));
    row.setField(21, span.getDroppedAttributesCount());
    row.setField(22, span.getDroppedEventsCount());
    row.setField(23, span.getDroppedLinksCount());
    return row;
  }

  private static GenericArrayData events(Span span) {
    Object[] events = new Object[span.getEventsCount()];
    for (int i = 0; i < events.length; i++) {
      Span.Event event = span.getEvents(i);
      events[i] =
          GenericRowData.of(
              timestamp(event.getTimeUnixNano()),
              event.getTimeUnixNano(),
              StringData.fromString(event.getName()),
              AttributeValues.toMap(event.getAttributesList()),
              event.getDroppedAttributesCount());
    }
    return new GenericArrayData(events);
  }

  private static GenericArrayData links(Span span) {
    Object[] links = new Object[span.getLinksCount()];
    for (int i = 0; i < links.length; i++) {
      Span.Link link = span.getLinks(i);
      links[i] =
          GenericRowData.of(
              hex(link.getTraceId()),
              hex(link.getSpanId()),
              nullIfEmpty(link.getTraceState()),
              AttributeValues.toMap(link.getAttributesList()),
              link.getDroppedAttributesCount(),
              Integer.toUnsignedLong(link.getFlags()));
    }
    return new GenericArrayData(links);
  }
}
