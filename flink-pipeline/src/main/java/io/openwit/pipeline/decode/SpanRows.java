package io.openwit.pipeline.decode;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/**
 * Flattens an OTLP {@link ExportTraceServiceRequest} into rows of {@code TableSchemas.SPANS_SCHEMA},
 * one per span, in the schema's field order.
 */
public final class SpanRows {
  static final String UNKNOWN_SERVICE = "unknown_service";
  private static final HexFormat HEX = HexFormat.of();

  private SpanRows() {}

  public static void decode(byte[] payload, Consumer<RowData> out) throws InvalidProtocolBufferException {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(payload);
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Resource resource = resourceSpans.getResource();
      String serviceName = AttributeValues.find(resource.getAttributesList(), "service.name");
      StringData service = StringData.fromString(serviceName == null ? UNKNOWN_SERVICE : serviceName);
      MapData resourceAttributes = AttributeValues.toMap(resource.getAttributesList());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        InstrumentationScope scope = scopeSpans.getScope();
        StringData scopeName = nullIfEmpty(scope.getName());
        StringData scopeVersion = nullIfEmpty(scope.getVersion());
        for (Span span : scopeSpans.getSpansList()) {
          out.accept(row(span, service, resourceAttributes, scopeName, scopeVersion));
        }
      }
    }
  }

  private static RowData row(
      Span span, StringData service, MapData resourceAttributes, StringData scopeName, StringData scopeVersion) {
    GenericRowData row = new GenericRowData(24);
    row.setField(0, hex(span.getTraceId()));
    row.setField(1, hex(span.getSpanId()));
    row.setField(2, span.getParentSpanId().isEmpty() ? null : hex(span.getParentSpanId()));
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
    row.setField(13, service);
    row.setField(14, resourceAttributes);
    row.setField(15, scopeName);
    row.setField(16, scopeVersion);
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

  private static StringData hex(ByteString id) {
    return StringData.fromString(HEX.formatHex(id.toByteArray()));
  }

  private static StringData nullIfEmpty(String value) {
    return value.isEmpty() ? null : StringData.fromString(value);
  }

  private static TimestampData timestamp(long unixNanos) {
    return TimestampData.fromEpochMillis(
        Math.floorDiv(unixNanos, 1_000_000L), (int) Math.floorMod(unixNanos, 1_000_000L));
  }
}
