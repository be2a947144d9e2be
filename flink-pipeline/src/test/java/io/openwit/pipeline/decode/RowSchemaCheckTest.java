package io.openwit.pipeline.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** What the Iceberg writer would refuse, told before it gets the row. */
class RowSchemaCheckTest {
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "name", Types.StringType.get()),
      Types.NestedField.optional(2, "time", Types.TimestampType.withZone()),
      Types.NestedField.optional(3, "attributes",
          Types.MapType.ofRequired(4, 5, Types.StringType.get(), Types.StringType.get())),
      Types.NestedField.optional(6, "counts", Types.ListType.ofRequired(7, Types.LongType.get())),
      Types.NestedField.optional(8, "events", Types.ListType.ofRequired(9, Types.StructType.of(
          Types.NestedField.required(10, "count", Types.IntegerType.get())))));
  private final RowSchemaCheck check = new RowSchemaCheck(SCHEMA);

  private static GenericRowData good() {
    Map<Object, Object> attributes = new HashMap<>();
    attributes.put(StringData.fromString("k"), StringData.fromString("v"));
    return GenericRowData.of(StringData.fromString("a"), TimestampData.fromEpochMillis(1),
        new GenericMapData(attributes), new GenericArrayData(new long[] {1, 2}),
        new GenericArrayData(new Object[] {GenericRowData.of(3)}));
  }

  @Test
  void aRowThatFitsTheSchemaPasses() {
    assertThat(check.refusal(good())).isNull();
    GenericRowData nullsWhereOptional = GenericRowData.of(StringData.fromString("a"), null, null, null, null);
    assertThat(check.refusal(nullsWhereOptional)).isNull();
  }

  @Test
  void aNullInARequiredColumnIsRefused() {
    GenericRowData row = good();
    row.setField(0, null);
    assertThat(check.refusal(row)).isEqualTo("required column 'name' is null");
  }

  @Test
  void aValueOfAnotherTypeIsRefused() {
    GenericRowData row = good();
    row.setField(1, 1L);
    assertThat(check.refusal(row)).contains("'time'").contains("timestamptz");
  }

  @Test
  void aNullMapValueListElementOrNestedFieldIsRefused() {
    Map<Object, Object> attributes = new HashMap<>();
    attributes.put(StringData.fromString("k"), null);
    GenericRowData nullMapValue = good();
    nullMapValue.setField(2, new GenericMapData(attributes));
    assertThat(check.refusal(nullMapValue)).isEqualTo("required column 'attributes.value[0]' is null");

    GenericRowData nullElement = good();
    nullElement.setField(3, new GenericArrayData(new Object[] {1L, null}));
    assertThat(check.refusal(nullElement)).isEqualTo("required column 'counts[1]' is null");

    GenericRowData nullNested = good();
    nullNested.setField(4, new GenericArrayData(new Object[] {GenericRowData.of((Object) null)}));
    assertThat(check.refusal(nullNested)).isEqualTo("required column 'events[0].count' is null");
  }

  @Test
  void aRowWithAnotherNumberOfValuesIsRefused() {
    assertThat(check.refusal(GenericRowData.of(StringData.fromString("a")))).isEqualTo("the row has 1 values for 5 columns");
  }
}
