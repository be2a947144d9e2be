package io.openwit.common.schema;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.types.Types;

/**
 * The one place that defines OpenWit's tables. Ids are lowercase hex strings, times are
 * timestamptz (microseconds) plus the original nanosecond integer, attribute maps are
 * map&lt;string,string&gt; with non-string values JSON-encoded.
 */
public final class TableSchemas {
  private TableSchemas() {}

  private static Types.MapType attributes(int keyId, int valueId) {
    return Types.MapType.ofRequired(keyId, valueId, Types.StringType.get(), Types.StringType.get());
  }

  public static final Schema SPANS_SCHEMA =
      new Schema(
          required(1, "trace_id", Types.StringType.get()),
          required(2, "span_id", Types.StringType.get()),
          optional(3, "parent_span_id", Types.StringType.get()),
          optional(4, "trace_state", Types.StringType.get()),
          required(5, "name", Types.StringType.get()),
          required(6, "kind", Types.StringType.get(), "UNSPECIFIED, INTERNAL, SERVER, CLIENT, PRODUCER or CONSUMER"),
          required(7, "start_time", Types.TimestampType.withZone()),
          required(8, "end_time", Types.TimestampType.withZone()),
          required(9, "start_time_unix_nano", Types.LongType.get()),
          required(10, "end_time_unix_nano", Types.LongType.get()),
          required(11, "duration_ns", Types.LongType.get()),
          required(12, "status_code", Types.StringType.get(), "UNSET, OK or ERROR"),
          optional(13, "status_message", Types.StringType.get()),
          required(14, "service_name", Types.StringType.get()),
          optional(15, "resource_attributes", attributes(101, 102)),
          optional(16, "scope_name", Types.StringType.get()),
          optional(17, "scope_version", Types.StringType.get()),
          optional(18, "attributes", attributes(103, 104)),
          optional(
              19,
              "events",
              Types.ListType.ofRequired(
                  105,
                  Types.StructType.of(
                      required(106, "time", Types.TimestampType.withZone()),
                      required(107, "time_unix_nano", Types.LongType.get()),
                      required(108, "name", Types.StringType.get()),
                      optional(109, "attributes", attributes(110, 111)),
                      required(112, "dropped_attributes_count", Types.IntegerType.get())))),
          optional(
              20,
              "links",
              Types.ListType.ofRequired(
                  113,
                  Types.StructType.of(
                      required(114, "trace_id", Types.StringType.get()),
                      required(115, "span_id", Types.StringType.get()),
                      optional(116, "trace_state", Types.StringType.get()),
                      optional(117, "attributes", attributes(118, 119)),
                      required(120, "dropped_attributes_count", Types.IntegerType.get()),
                      required(121, "flags", Types.LongType.get())))),
          required(22, "flags", Types.LongType.get()),
          required(23, "dropped_attributes_count", Types.IntegerType.get()),
          required(24, "dropped_events_count", Types.IntegerType.get()),
          required(25, "dropped_links_count", Types.IntegerType.get()));

  public static final TableDefinition SPANS =
      new TableDefinition(
          "spans",
          SPANS_SCHEMA,
          PartitionSpec.builderFor(SPANS_SCHEMA).day("start_time").build(),
          SortOrder.builderFor(SPANS_SCHEMA).asc("service_name").asc("start_time").build(),
          Map.of(
              "format-version", "2",
              "write.format.default", "parquet",
              "write.parquet.compression-codec", "zstd",
              "write.parquet.bloom-filter-enabled.column.trace_id", "true",
              "write.metadata.delete-after-commit.enabled", "true",
              "write.metadata.previous-versions-max", "50"));
}
