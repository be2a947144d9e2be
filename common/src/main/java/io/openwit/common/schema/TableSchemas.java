package io.openwit.common.schema;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import io.openwit.common.wire.Signal;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

  /**
   * Parquet with ZSTD, bloom filters on the given columns, old metadata files cleaned up. Row groups
   * of 8 MB keep each bloom filter small enough to be selective once compaction makes large
   * files: a lookup by trace id then reads one row group, not the whole file.
   */
  private static Map<String, String> tableProperties(String... bloomFilterColumns) {
    Map<String, String> properties = new TreeMap<>();
    properties.put("format-version", "2");
    properties.put("write.format.default", "parquet");
    properties.put("write.parquet.compression-codec", "zstd");
    properties.put("write.parquet.row-group-size-bytes", Integer.toString(8 * 1024 * 1024));
    properties.put("write.metadata.delete-after-commit.enabled", "true");
    properties.put("write.metadata.previous-versions-max", "50");
    for (String column : bloomFilterColumns) {
      properties.put("write.parquet.bloom-filter-enabled.column." + column, "true");
    }
    return Map.copyOf(properties);
  }

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
          tableProperties("trace_id"));

  public static final Schema LOGS_SCHEMA =
      new Schema(
          required(1, "time", Types.TimestampType.withZone(), "time_unix_nano, or observed time when the record has none"),
          required(2, "time_unix_nano", Types.LongType.get()),
          required(3, "observed_time", Types.TimestampType.withZone()),
          required(4, "observed_time_unix_nano", Types.LongType.get()),
          required(5, "severity_number", Types.IntegerType.get()),
          optional(6, "severity_text", Types.StringType.get()),
          optional(7, "body", Types.StringType.get(), "string bodies as they are, other values JSON-encoded"),
          optional(8, "trace_id", Types.StringType.get()),
          optional(9, "span_id", Types.StringType.get()),
          required(10, "flags", Types.LongType.get()),
          required(11, "service_name", Types.StringType.get()),
          optional(12, "resource_attributes", attributes(101, 102)),
          optional(13, "scope_name", Types.StringType.get()),
          optional(14, "scope_version", Types.StringType.get()),
          optional(15, "attributes", attributes(103, 104)),
          optional(16, "event_name", Types.StringType.get()),
          required(17, "dropped_attributes_count", Types.IntegerType.get()));

  public static final TableDefinition LOGS =
      new TableDefinition(
          "logs",
          LOGS_SCHEMA,
          PartitionSpec.builderFor(LOGS_SCHEMA).day("time").build(),
          SortOrder.builderFor(LOGS_SCHEMA).asc("service_name").asc("time").build(),
          tableProperties("trace_id"));

  private static Types.ListType longs(int elementId) {
    return Types.ListType.ofRequired(elementId, Types.LongType.get());
  }

  public static final Schema METRICS_SCHEMA =
      new Schema(
          required(1, "metric_type", Types.StringType.get(),
              "gauge, sum, histogram, exponential_histogram or summary"),
          required(2, "name", Types.StringType.get()),
          optional(3, "description", Types.StringType.get()),
          optional(4, "unit", Types.StringType.get()),
          required(5, "time", Types.TimestampType.withZone()),
          required(6, "time_unix_nano", Types.LongType.get()),
          optional(7, "start_time", Types.TimestampType.withZone()),
          required(8, "start_time_unix_nano", Types.LongType.get()),
          optional(9, "value", Types.DoubleType.get(), "gauge and sum points, integers converted"),
          optional(10, "value_int", Types.LongType.get(), "the exact value of integer gauge and sum points"),
          optional(11, "is_monotonic", Types.BooleanType.get()),
          optional(12, "temporality", Types.StringType.get(), "DELTA or CUMULATIVE"),
          optional(13, "count", Types.LongType.get()),
          optional(14, "sum", Types.DoubleType.get()),
          optional(15, "min", Types.DoubleType.get()),
          optional(16, "max", Types.DoubleType.get()),
          optional(17, "bucket_counts", longs(105)),
          optional(18, "explicit_bounds", Types.ListType.ofRequired(106, Types.DoubleType.get())),
          optional(19, "exp_scale", Types.IntegerType.get()),
          optional(20, "exp_zero_count", Types.LongType.get()),
          optional(21, "exp_zero_threshold", Types.DoubleType.get()),
          optional(22, "exp_positive_offset", Types.IntegerType.get()),
          optional(23, "exp_positive_bucket_counts", longs(107)),
          optional(24, "exp_negative_offset", Types.IntegerType.get()),
          optional(25, "exp_negative_bucket_counts", longs(108)),
          optional(
              26,
              "quantiles",
              Types.ListType.ofRequired(
                  109,
                  Types.StructType.of(
                      required(110, "quantile", Types.DoubleType.get()),
                      required(111, "value", Types.DoubleType.get())))),
          optional(
              27,
              "exemplars",
              Types.ListType.ofRequired(
                  112,
                  Types.StructType.of(
                      required(113, "time", Types.TimestampType.withZone()),
                      required(114, "time_unix_nano", Types.LongType.get()),
                      required(115, "value", Types.DoubleType.get()),
                      optional(116, "trace_id", Types.StringType.get()),
                      optional(117, "span_id", Types.StringType.get()),
                      optional(118, "filtered_attributes", attributes(119, 120))))),
          required(28, "flags", Types.LongType.get()),
          optional(29, "attributes", attributes(121, 122)),
          required(30, "service_name", Types.StringType.get()),
          optional(31, "resource_attributes", attributes(123, 124)),
          optional(32, "scope_name", Types.StringType.get()),
          optional(33, "scope_version", Types.StringType.get()));

  public static final TableDefinition METRICS =
      new TableDefinition(
          "metrics",
          METRICS_SCHEMA,
          PartitionSpec.builderFor(METRICS_SCHEMA).day("time").build(),
          SortOrder.builderFor(METRICS_SCHEMA).asc("name").asc("service_name").asc("time").build(),
          tableProperties());

  /** The table each signal lands in. */
  public static TableDefinition forSignal(Signal signal) {
    return switch (signal) {
      case TRACES -> SPANS;
      case LOGS -> LOGS;
      case METRICS -> METRICS;
    };
  }

  /** The signal whose table is named {@code tableName} (spans, logs, metrics), if any. */
  public static Optional<Signal> signalOfTable(String tableName) {
    return Arrays.stream(Signal.values()).filter(signal -> forSignal(signal).name().equals(tableName)).findFirst();
  }
}
