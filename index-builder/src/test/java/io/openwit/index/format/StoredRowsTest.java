package io.openwit.index.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.schema.TableSchemas;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class StoredRowsTest {
  private static final OffsetDateTime TIME = OffsetDateTime.of(2026, 11, 22, 9, 30, 0, 123_456_000, ZoneOffset.UTC);

  @Test
  void aStoredSpanDecodesToTheSameRow() {
    Schema schema = TableSchemas.SPANS_SCHEMA;
    Record event = GenericRecord.create(schema.findField("events").type().asListType().elementType().asStructType());
    event.setField("time", TIME);
    event.setField("time_unix_nano", 1_795_339_800_123_456_000L);
    event.setField("name", "retry");
    event.setField("attributes", Map.of("attempt", "2"));
    event.setField("dropped_attributes_count", 0);
    Record span = GenericRecord.create(schema);
    span.setField("trace_id", "5b8efff798038103d269b633813fc60c");
    span.setField("span_id", "eee19b7ec3c1b174");
    span.setField("name", "GET /cart");
    span.setField("kind", "SERVER");
    span.setField("start_time", TIME);
    span.setField("end_time", TIME.plusNanos(1_000));
    span.setField("start_time_unix_nano", 1L);
    span.setField("end_time_unix_nano", 2L);
    span.setField("duration_ns", 1_000L);
    span.setField("status_code", "ERROR");
    span.setField("service_name", "checkout");
    span.setField("attributes", Map.of("http.status_code", "502"));
    span.setField("events", List.of(event));
    span.setField("links", List.of());
    span.setField("flags", 0L);
    span.setField("dropped_attributes_count", 0);
    span.setField("dropped_events_count", 0);
    span.setField("dropped_links_count", 0);

    byte[] stored = StoredRows.encode(StoredRows.encoder(schema), span);
    Record decoded = StoredRows.of(schema, List.of(schema)).decode(stored);

    assertThat(decoded).isEqualTo(span);
  }

  @Test
  void aRowStoredBeforeTheSchemaGainedAColumnDecodesIntoTheNewSchema() {
    Schema before = new Schema(Types.NestedField.required(1, "time", Types.TimestampType.withZone()),
        Types.NestedField.optional(2, "body", Types.StringType.get()));
    Schema after = new Schema(Types.NestedField.required(1, "time", Types.TimestampType.withZone()),
        Types.NestedField.optional(2, "body", Types.StringType.get()),
        Types.NestedField.optional(3, "event_name", Types.StringType.get()));
    Record row = GenericRecord.create(before);
    row.setField("time", TIME);
    row.setField("body", "connection refused");

    Record decoded = StoredRows.of(after, List.of(before, after)).decode(StoredRows.encode(StoredRows.encoder(before), row));

    assertThat(decoded.struct()).isEqualTo(after.asStruct());
    assertThat(decoded.getField("time")).isEqualTo(TIME);
    assertThat(decoded.getField("body")).isEqualTo("connection refused");
    assertThat(decoded.getField("event_name")).isNull();
  }
}
