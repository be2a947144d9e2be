package io.openwit.query.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.schema.TableSchemas;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class RecordArrowTest {
  private static final OffsetDateTime TIME = OffsetDateTime.of(2026, 11, 22, 9, 30, 0, 123_456_000, ZoneOffset.UTC);

  @Test
  void logRowsKeepTheirTypesNullsAndMaps() throws IOException {
    Record first = log("connection refused", Map.of("http.status", "502", "peer", "db-1"));
    Record second = log(null, null);
    byte[] stream = RecordArrow.write(TableSchemas.LOGS_SCHEMA, List.of(first, second), Map.of("total_hits", "7"));

    try (RootAllocator allocator = new RootAllocator();
         ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(stream), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema().getCustomMetadata()).containsEntry("total_hits", "7");
      assertThat(root.getSchema().getFields()).extracting(field -> field.getName())
          .containsExactlyElementsOf(TableSchemas.LOGS_SCHEMA.columns().stream().map(Types.NestedField::name).toList());
      assertThat(root.getSchema().findField("time").getType())
          .isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"));
      assertThat(reader.loadNextBatch()).isTrue();
      assertThat(root.getRowCount()).isEqualTo(2);

      TimeStampMicroTZVector time = (TimeStampMicroTZVector) root.getVector("time");
      assertThat(time.get(0)).isEqualTo(TIME.toInstant().getEpochSecond() * 1_000_000 + 123_456);
      assertThat(((BigIntVector) root.getVector("time_unix_nano")).get(0)).isEqualTo(1_795_339_800_123_456_000L);
      assertThat(((IntVector) root.getVector("severity_number")).get(1)).isEqualTo(17);
      VarCharVector body = (VarCharVector) root.getVector("body");
      assertThat(body.getObject(0).toString()).isEqualTo("connection refused");
      assertThat(body.isNull(1)).isTrue();

      MapVector attributes = (MapVector) root.getVector("attributes");
      assertThat(attributes.isNull(1)).isTrue();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> entries = (List<Map<String, Object>>) attributes.getObject(0);
      Map<String, String> decoded = new LinkedHashMap<>();
      entries.forEach(entry -> decoded.put(entry.get("key").toString(), entry.get("value").toString()));
      assertThat(decoded).isEqualTo(Map.of("http.status", "502", "peer", "db-1"));
      assertThat(reader.loadNextBatch()).isFalse();
    }
  }

  @Test
  void spanEventsAreListsOfStructs() throws IOException {
    Types.StructType eventType = TableSchemas.SPANS_SCHEMA.findField("events").type().asListType().elementType()
        .asStructType();
    Record event = GenericRecord.create(eventType);
    event.setField("time", TIME);
    event.setField("time_unix_nano", 1L);
    event.setField("name", "retry");
    event.setField("attributes", Map.of("attempt", "2"));
    event.setField("dropped_attributes_count", 0);
    Record span = GenericRecord.create(TableSchemas.SPANS_SCHEMA);
    span.setField("trace_id", "5b8efff798038103d269b633813fc60c");
    span.setField("events", List.of(event, event.copy()));
    Record emptySpan = GenericRecord.create(TableSchemas.SPANS_SCHEMA);
    emptySpan.setField("events", List.of());

    byte[] stream = RecordArrow.write(TableSchemas.SPANS_SCHEMA, List.of(span, emptySpan), Map.of());

    try (RootAllocator allocator = new RootAllocator();
         ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(stream), allocator)) {
      assertThat(reader.loadNextBatch()).isTrue();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      ListVector events = (ListVector) root.getVector("events");
      assertThat(events.getObject(0)).hasSize(2);
      assertThat(events.getObject(1)).isEmpty();
      @SuppressWarnings("unchecked")
      Map<String, Object> firstEvent = (Map<String, Object>) events.getObject(0).get(0);
      assertThat(firstEvent.get("name").toString()).isEqualTo("retry");
      assertThat(((VarCharVector) root.getVector("trace_id")).getObject(0).toString())
          .isEqualTo("5b8efff798038103d269b633813fc60c");
      assertThat(root.getVector("links").isNull(0)).isTrue();
    }
  }

  private static Record log(String body, Map<String, String> attributes) {
    Record record = GenericRecord.create(TableSchemas.LOGS_SCHEMA);
    record.setField("time", TIME);
    record.setField("time_unix_nano", 1_795_339_800_123_456_000L);
    record.setField("observed_time", TIME);
    record.setField("observed_time_unix_nano", 1_795_339_800_123_456_000L);
    record.setField("severity_number", 17);
    record.setField("severity_text", "ERROR");
    record.setField("body", body);
    record.setField("flags", 0L);
    record.setField("service_name", "checkout");
    record.setField("attributes", attributes);
    record.setField("dropped_attributes_count", 0);
    return record;
  }
}
