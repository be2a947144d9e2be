package io.openwit.trino.search;

import static io.trino.spi.type.BigintType.BIGINT;
import static io.trino.spi.type.BooleanType.BOOLEAN;
import static io.trino.spi.type.DateType.DATE;
import static io.trino.spi.type.DoubleType.DOUBLE;
import static io.trino.spi.type.IntegerType.INTEGER;
import static io.trino.spi.type.RealType.REAL;
import static io.trino.spi.type.TimeZoneKey.UTC_KEY;
import static io.trino.spi.type.TimestampType.TIMESTAMP_MICROS;
import static io.trino.spi.type.TimestampWithTimeZoneType.TIMESTAMP_TZ_MICROS;
import static io.trino.spi.type.VarbinaryType.VARBINARY;
import static io.trino.spi.type.VarcharType.VARCHAR;

import io.airlift.slice.Slices;
import io.trino.spi.block.ArrayBlockBuilder;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.block.MapBlockBuilder;
import io.trino.spi.block.RowBlockBuilder;
import io.trino.spi.function.table.Descriptor;
import io.trino.spi.type.ArrayType;
import io.trino.spi.type.LongTimestampWithTimeZone;
import io.trino.spi.type.MapType;
import io.trino.spi.type.RowType;
import io.trino.spi.type.Type;
import io.trino.spi.type.TypeManager;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Arrow columns as Trino columns: the type of each (timestamp[us, UTC] is timestamp(6) with time
 * zone, maps are maps, lists of structs are arrays of rows) and each value, as
 * {@code FieldVector.getObject} gives it, written into a Trino block.
 */
final class ArrowColumns {
  private ArrowColumns() {}

  static Descriptor descriptor(Schema schema, TypeManager types) {
    List<String> names = new ArrayList<>();
    List<Type> columnTypes = new ArrayList<>();
    for (Field field : schema.getFields()) {
      names.add(field.getName());
      columnTypes.add(type(field, types));
    }
    return Descriptor.descriptor(names, columnTypes);
  }

  static List<Type> types(Schema schema, TypeManager types) {
    return schema.getFields().stream().map(field -> type(field, types)).toList();
  }

  static Type type(Field field, TypeManager types) {
    ArrowType arrow = field.getType();
    return switch (arrow.getTypeID()) {
      case Utf8, LargeUtf8 -> VARCHAR;
      case Binary, LargeBinary -> VARBINARY;
      case Bool -> BOOLEAN;
      case Int -> ((ArrowType.Int) arrow).getBitWidth() == 64 ? BIGINT : INTEGER;
      case FloatingPoint -> ((ArrowType.FloatingPoint) arrow).getPrecision() == FloatingPointPrecision.DOUBLE
          ? DOUBLE : REAL;
      case Date -> DATE;
      case Timestamp -> {
        ArrowType.Timestamp timestamp = (ArrowType.Timestamp) arrow;
        if (timestamp.getUnit() != TimeUnit.MICROSECOND) {
          throw new IllegalArgumentException("column " + field.getName() + ": only microsecond timestamps are read");
        }
        yield timestamp.getTimezone() == null ? TIMESTAMP_MICROS : TIMESTAMP_TZ_MICROS;
      }
      case List -> new ArrayType(type(field.getChildren().get(0), types));
      case Struct -> RowType.from(field.getChildren().stream()
          .map(child -> RowType.field(child.getName(), type(child, types))).toList());
      case Map -> {
        List<Field> entry = field.getChildren().get(0).getChildren();
        yield new MapType(type(entry.get(0), types), type(entry.get(1), types), types.getTypeOperators());
      }
      default -> throw new IllegalArgumentException("column " + field.getName() + " has the Arrow type " + arrow
          + ", which this connector does not read");
    };
  }

  /** Appends {@code value} (as Arrow's {@code getObject} returns it) to {@code builder}. */
  static void write(Type type, BlockBuilder builder, Object value) {
    if (value == null) {
      builder.appendNull();
    } else if (type == VARCHAR) {
      VARCHAR.writeSlice(builder, Slices.wrappedBuffer(((Text) value).copyBytes()));
    } else if (type == BIGINT || type == TIMESTAMP_MICROS && value instanceof Long) {
      type.writeLong(builder, (Long) value);
    } else if (type == TIMESTAMP_MICROS) {
      TIMESTAMP_MICROS.writeLong(builder, ChronoUnit.MICROS.between(LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC),
          (LocalDateTime) value));
    } else if (type == INTEGER || type == DATE) {
      type.writeLong(builder, (Integer) value);
    } else if (type == DOUBLE) {
      DOUBLE.writeDouble(builder, (Double) value);
    } else if (type == REAL) {
      REAL.writeLong(builder, Float.floatToRawIntBits((Float) value));
    } else if (type == BOOLEAN) {
      BOOLEAN.writeBoolean(builder, (Boolean) value);
    } else if (type == VARBINARY) {
      VARBINARY.writeSlice(builder, Slices.wrappedBuffer((byte[]) value));
    } else if (type == TIMESTAMP_TZ_MICROS) {
      long micros = (Long) value;
      TIMESTAMP_TZ_MICROS.writeObject(builder, LongTimestampWithTimeZone.fromEpochMillisAndFraction(
          Math.floorDiv(micros, 1000), Math.floorMod(micros, 1000) * 1_000_000, UTC_KEY));
    } else if (type instanceof ArrayType array) {
      ((ArrayBlockBuilder) builder).buildEntry(elements -> {
        for (Object element : (List<?>) value) {
          write(array.getElementType(), elements, element);
        }
      });
    } else if (type instanceof MapType map) {
      ((MapBlockBuilder) builder).buildEntry((keys, values) -> {
        for (Object entry : (List<?>) value) {
          Map<?, ?> pair = (Map<?, ?>) entry;
          write(map.getKeyType(), keys, pair.get("key"));
          write(map.getValueType(), values, pair.get("value"));
        }
      });
    } else if (type instanceof RowType row) {
      Map<?, ?> struct = (Map<?, ?>) value;
      ((RowBlockBuilder) builder).buildEntry(fields -> {
        for (int i = 0; i < row.getFields().size(); i++) {
          write(row.getFields().get(i).getType(), fields.get(i), struct.get(row.getFields().get(i).getName().orElseThrow()));
        }
      });
    } else {
      throw new IllegalArgumentException("no writer for the Trino type " + type);
    }
  }
}
