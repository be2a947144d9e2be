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
 * The checks are built once per schema; a refusal's column path is only put together when one is found.
 */
public final class RowSchemaCheck {
  private final StructCheck check;

  public RowSchemaCheck(Schema schema) {
    this.check = new StructCheck(schema.asStruct(), FlinkSchemaUtil.convert(schema));
  }

  /** Why the writer would refuse {@code row}, or null when it takes it. */
  public String refusal(RowData row) {
    Refusal refusal = check.refusal(row);
    if (refusal == null) {
      return null;
    }
    return switch (refusal.problem) {
      case NULL -> "required column '" + refusal.column + "' is null";
      case WRONG_TYPE -> "column '" + refusal.column + "' holds a value that is not of its type " + refusal.detail;
      case WRONG_ARITY -> (refusal.column.isEmpty() ? "the row" : "'" + refusal.column + "'") + " has "
          + refusal.detail;
    };
  }

  private enum Problem { NULL, WRONG_TYPE, WRONG_ARITY }

  /** What is wrong, and where, as a path relative to the value checked ("" for the value itself). */
  private record Refusal(String column, Problem problem, String detail) {
    Refusal under(String parent) {
      return new Refusal(column.isEmpty() ? parent : column.startsWith("[") ? parent + column : parent + "." + column,
          problem, detail);
    }
  }

  /** Checks what is inside a non-null value: the value's own type is checked when its getter reads it. */
  private interface ValueCheck {
    Refusal refusal(Object value);
  }

  private static ValueCheck nestedCheck(Type type, LogicalType logical) {
    return switch (type.typeId()) {
      case STRUCT -> {
        StructCheck struct = new StructCheck(type.asStructType(), (RowType) logical);
        yield value -> struct.refusal((RowData) value);
      }
      case LIST -> {
        ArrayCheck elements = new ArrayCheck(type.asListType().elementType(), type.asListType().isElementRequired(),
            ((ArrayType) logical).getElementType());
        yield value -> elements.refusal((ArrayData) value);
      }
      case MAP -> {
        Types.MapType map = type.asMapType();
        MapType mapType = (MapType) logical;
        ArrayCheck keys = new ArrayCheck(map.keyType(), true, mapType.getKeyType());
        ArrayCheck values = new ArrayCheck(map.valueType(), map.isValueRequired(), mapType.getValueType());
        yield value -> {
          MapData data = (MapData) value;
          Refusal refusal = keys.refusal(data.keyArray());
          if (refusal != null) {
            return refusal.under("key");
          }
          refusal = values.refusal(data.valueArray());
          return refusal == null ? null : refusal.under("value");
        };
      }
      default -> null;
    };
  }

  private static final class StructCheck {
    private final String[] names;
    private final Type[] types;
    private final boolean[] required;
    private final RowData.FieldGetter[] getters;
    private final ValueCheck[] nested;

    StructCheck(Types.StructType struct, RowType rowType) {
      List<Types.NestedField> fields = struct.fields();
      names = new String[fields.size()];
      types = new Type[fields.size()];
      required = new boolean[fields.size()];
      getters = new RowData.FieldGetter[fields.size()];
      nested = new ValueCheck[fields.size()];
      for (int i = 0; i < fields.size(); i++) {
        names[i] = fields.get(i).name();
        types[i] = fields.get(i).type();
        required[i] = fields.get(i).isRequired();
        getters[i] = RowData.createFieldGetter(rowType.getTypeAt(i), i);
        nested[i] = nestedCheck(types[i], rowType.getTypeAt(i));
      }
    }

    Refusal refusal(RowData row) {
      if (row.getArity() != names.length) {
        return new Refusal("", Problem.WRONG_ARITY, row.getArity() + " values for " + names.length + " columns");
      }
      for (int i = 0; i < names.length; i++) {
        Object value;
        try {
          value = row.isNullAt(i) ? null : getters[i].getFieldOrNull(row);
        } catch (ClassCastException e) {
          return new Refusal(names[i], Problem.WRONG_TYPE, types[i].toString());
        }
        if (value == null) {
          if (required[i]) {
            return new Refusal(names[i], Problem.NULL, null);
          }
        } else if (nested[i] != null) {
          Refusal refusal = nested[i].refusal(value);
          if (refusal != null) {
            return refusal.under(names[i]);
          }
        }
      }
      return null;
    }
  }

  private static final class ArrayCheck {
    private final Type elementType;
    private final boolean required;
    private final ArrayData.ElementGetter getter;
    private final ValueCheck nested;

    ArrayCheck(Type elementType, boolean required, LogicalType logical) {
      this.elementType = elementType;
      this.required = required;
      this.getter = ArrayData.createElementGetter(logical);
      this.nested = nestedCheck(elementType, logical);
    }

    Refusal refusal(ArrayData array) {
      for (int j = 0; j < array.size(); j++) {
        Object element;
        try {
          element = array.isNullAt(j) ? null : getter.getElementOrNull(array, j);
        } catch (ClassCastException e) {
          return new Refusal("[" + j + "]", Problem.WRONG_TYPE, elementType.toString());
        }
        if (element == null) {
          if (required) {
            return new Refusal("[" + j + "]", Problem.NULL, null);
          }
        } else if (nested != null) {
          Refusal refusal = nested.refusal(element);
          if (refusal != null) {
            return refusal.under("[" + j + "]");
          }
        }
      }
      return null;
    }
  }
}
