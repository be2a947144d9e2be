package io.openwit.pipeline.decode;

import java.util.List;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.flink.FlinkSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Says whether the Iceberg writer would refuse a row of one table: a value count other than the
 * table's columns, a null in a required column (or required list element, map key or map value), a
 * value of another type than its column's. The writer would throw on such a row inside the sink, and
 * the job would restart on its record forever; checked before, the record becomes a dead letter.
 */
public final class RowSchemaCheck {
  private final Types.StructType struct;
  private final RowType rowType;

  public RowSchemaCheck(Schema schema) {
    this.struct = schema.asStruct();
    this.rowType = FlinkSchemaUtil.convert(schema);
  }

  /** Why the writer would refuse {@code row}, or null when it takes it. */
  public String refusal(RowData row) {
    return structRefusal(struct, rowType, row, "");
  }

  private static String structRefusal(Types.StructType struct, RowType type, RowData row, String path) {
    List<Types.NestedField> fields = struct.fields();
    if (row.getArity() != fields.size()) {
      return (path.isEmpty() ? "the row" : "'" + path + "'") + " has " + row.getArity() + " values for "
          + fields.size() + " columns";
    }
    for (int i = 0; i < fields.size(); i++) {
      Types.NestedField field = fields.get(i);
      String name = path + field.name();
      Object value;
      try {
        value = row.isNullAt(i) ? null : RowData.createFieldGetter(type.getTypeAt(i), i).getFieldOrNull(row);
      } catch (ClassCastException e) {
        return wrongType(name, field.type());
      }
      String refusal = valueRefusal(field.type(), field.isRequired(), type.getTypeAt(i), value, name);
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  /** Checks what is inside {@code value}: its own type was checked when it was read through its getter. */
  private static String valueRefusal(Type type, boolean required, LogicalType logical, Object value, String name) {
    if (value == null) {
      return required ? "required column '" + name + "' is null" : null;
    }
    return switch (type.typeId()) {
      case STRUCT -> structRefusal(type.asStructType(), (RowType) logical, (RowData) value, name + ".");
      case LIST -> arrayRefusal(type.asListType().elementType(), type.asListType().isElementRequired(),
          ((ArrayType) logical).getElementType(), (ArrayData) value, name);
      case MAP -> {
        Types.MapType map = type.asMapType();
        MapType mapType = (MapType) logical;
        MapData data = (MapData) value;
        String keys = arrayRefusal(map.keyType(), true, mapType.getKeyType(), data.keyArray(), name + ".key");
        yield keys != null ? keys : arrayRefusal(map.valueType(), map.isValueRequired(), mapType.getValueType(),
            data.valueArray(), name + ".value");
      }
      default -> null;
    };
  }

  private static String arrayRefusal(Type elementType, boolean required, LogicalType logical, ArrayData array,
      String name) {
    ArrayData.ElementGetter getter = ArrayData.createElementGetter(logical);
    for (int j = 0; j < array.size(); j++) {
      Object element;
      try {
        element = getter.getElementOrNull(array, j);
      } catch (ClassCastException e) {
        return wrongType(name + "[" + j + "]", elementType);
      }
      String refusal = valueRefusal(elementType, required, logical, element, name + "[" + j + "]");
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  private static String wrongType(String name, Type type) {
    return "column '" + name + "' holds a value that is not of its type " + type;
  }
}
