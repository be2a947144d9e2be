package io.openwit.query.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.optional(1, "time", Types.TimestampType.withZone()),
      Types.NestedField.optional(2, "local", Types.TimestampType.withoutZone()));

  @Test
  void timesOnAWholeMinuteKeepTheirSeconds() {
    ObjectNode json = RecordJson.of(row(
        OffsetDateTime.of(2026, 11, 22, 14, 6, 0, 0, ZoneOffset.UTC),
        LocalDateTime.of(2026, 11, 22, 14, 6)));

    assertThat(json.path("time").asText()).isEqualTo("2026-11-22T14:06:00Z");
    assertThat(Instant.parse(json.path("time").asText())).isEqualTo(Instant.parse("2026-11-22T14:06:00Z"));
    assertThat(json.path("local").asText()).isEqualTo("2026-11-22T14:06:00");
  }

  @Test
  void timesKeepTheirFractionAndComeOutInUtc() {
    ObjectNode json = RecordJson.of(row(
        OffsetDateTime.of(2026, 11, 22, 15, 6, 7, 123_456_000, ZoneOffset.ofHours(1)), null));

    assertThat(json.path("time").asText()).isEqualTo("2026-11-22T14:06:07.123456Z");
    assertThat(json.path("local").isNull()).isTrue();
  }

  private static Record row(OffsetDateTime time, LocalDateTime local) {
    Record record = GenericRecord.create(SCHEMA);
    record.setField("time", time);
    record.setField("local", local);
    return record;
  }
}
