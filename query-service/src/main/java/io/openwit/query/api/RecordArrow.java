package io.openwit.query.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Table rows as an Arrow IPC stream (one record batch), column by column with the table's own
 * types: timestamptz as timestamp[us, UTC], maps as Arrow maps, lists of structs as lists of
 * structs. The schema's metadata carries the search's {@code total_hits}.
 */
final class RecordArrow {
  static final String MEDIA_TYPE = "application/vnd.apache.arrow.stream";
  private static final BufferAllocator ALLOCATOR = new RootAllocator();

  private RecordArrow() {}

  static byte[] write(org.apache.iceberg.Schema tableSchema, List<Record> rows, Map<String, String> metadata) {
    List<Field> fields = new ArrayList<>();
    for (Types.NestedField column : tableSchema.columns()) {
      fields.add(field(column));
    }
    Schema schema = new Schema(fields, metadata);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BufferAllocator allocator = ALLOCATOR.newChildAllocator("search-answer", 0, Long.MAX_VALUE);
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
         ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      root.allocateNew();
      List<Types.NestedField> columns = tableSchema.columns();
      for (int i = 0; i < rows.size(); i++) {
        Record row = rows.get(i);
        for (Types.NestedField column : columns) {
          write(root.getVector(column.name()), i, row.getField(column.name()));
        }
      }
      root.setRowCount(rows.size());
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Arrow answer", e);
    }
    return out.toByteArray();
  }

  private static Field field(Types.NestedField column) {
    return field(column.name(), column.type(), column.isOptional());
  }

  private static Field field(String name, Type type, boolean nullable) {
    switch (type.typeId()) {
      case STRUCT: {
        List<Field> children = new ArrayList<>();
        type.asStructType().fields().forEach(child -> children.add(field(child)));
        return new Field(name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
      }
      case LIST: {
        Types.ListType list = type.asListType();
        return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null),
            List.of(field("element", list.elementType(), list.isElementOptional())));
      }
      case MAP: {
        Types.MapType map = type.asMapType();
        Field entries = new Field(MapVector.DATA_VECTOR_NAME, FieldType.notNullable(ArrowType.Struct.INSTANCE),
            List.of(field(MapVector.KEY_NAME, map.keyType(), false),
                field(MapVector.VALUE_NAME, map.valueType(), map.isValueOptional())));
        return new Field(name, new FieldType(nullable, new ArrowType.Map(false), null), List.of(entries));
      }
      default:
        return new Field(name, new FieldType(nullable, primitive(type), null), null);
    }
  }

  private static ArrowType primitive(Type type) {
    switch (type.typeId()) {
      case BOOLEAN:
        return ArrowType.Bool.INSTANCE;
      case INTEGER:
        return new ArrowType.Int(32, true);
      case LONG:
        return new ArrowType.Int(64, true);
      case FLOAT:
        return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE:
        return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DATE:
        return new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP:
        return new ArrowType.Timestamp(TimeUnit.MICROSECOND,
            ((Types.TimestampType) type).shouldAdjustToUTC() ? "UTC" : null);
      case STRING:
        return ArrowType.Utf8.INSTANCE;
      case BINARY:
        return ArrowType.Binary.INSTANCE;
      default:
        throw new IllegalArgumentException("no Arrow type for the column type " + type);
    }
  }

  private static void write(FieldVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
    } else if (vector instanceof VarCharVector strings) {
      strings.setSafe(index, value.toString().getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof BigIntVector longs) {
      longs.setSafe(index, (Long) value);
    } else if (vector instanceof IntVector ints) {
      ints.setSafe(index, (Integer) value);
    } else if (vector instanceof Float8Vector doubles) {
      doubles.setSafe(index, (Double) value);
    } else if (vector instanceof Float4Vector floats) {
      floats.setSafe(index, (Float) value);
    } else if (vector instanceof BitVector booleans) {
      booleans.setSafe(index, (Boolean) value ? 1 : 0);
    } else if (vector instanceof TimeStampMicroTZVector times) {
      times.setSafe(index, micros(((OffsetDateTime) value).toInstant()));
    } else if (vector instanceof TimeStampMicroVector times) {
      times.setSafe(index, micros(((LocalDateTime) value).toInstant(ZoneOffset.UTC)));
    } else if (vector instanceof DateDayVector dates) {
      dates.setSafe(index, (int) ((LocalDate) value).toEpochDay());
    } else if (vector instanceof VarBinaryVector bytes) {
      ByteBuffer buffer = ((ByteBuffer) value).duplicate();
      byte[] array = new byte[buffer.remaining()];
      buffer.get(array);
      bytes.setSafe(index, array);
    } else if (vector instanceof MapVector map) {
      StructVector entries = (StructVector) map.getDataVector();
      FieldVector keys = entries.getChild(MapVector.KEY_NAME);
      FieldVector values = entries.getChild(MapVector.VALUE_NAME);
      int offset = map.startNewValue(index);
      Map<?, ?> entriesOfRow = (Map<?, ?>) value;
      for (Map.Entry<?, ?> entry : entriesOfRow.entrySet()) {
        entries.setIndexDefined(offset);
        write(keys, offset, entry.getKey());
        write(values, offset, entry.getValue());
        offset++;
      }
      map.endValue(index, entriesOfRow.size());
    } else if (vector instanceof ListVector list) {
      FieldVector elements = list.getDataVector();
      int offset = list.startNewValue(index);
      List<?> elementsOfRow = (List<?>) value;
      for (Object element : elementsOfRow) {
        write(elements, offset++, element);
      }
      list.endValue(index, elementsOfRow.size());
    } else if (vector instanceof StructVector struct) {
      Record record = (Record) value;
      struct.setIndexDefined(index);
      for (Types.NestedField field : record.struct().fields()) {
        write(struct.getChild(field.name()), index, record.getField(field.name()));
      }
    } else {
      throw new IllegalStateException("no Arrow writer for " + vector.getClass().getSimpleName());
    }
  }

  private static void setNull(FieldVector vector, int index) {
    if (vector instanceof BaseFixedWidthVector fixed) {
      fixed.setNull(index);
    } else if (vector instanceof BaseVariableWidthVector variable) {
      variable.setNull(index);
    } else if (vector instanceof ListVector list) {
      list.setNull(index);
    } else if (vector instanceof StructVector struct) {
      struct.setNull(index);
    } else {
      throw new IllegalStateException("no Arrow null writer for " + vector.getClass().getSimpleName());
    }
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
