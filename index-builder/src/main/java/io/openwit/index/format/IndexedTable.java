package io.openwit.index.format;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.util.BytesRef;

/**
 * How a row of an indexed table becomes a Lucene document; the one place that says which columns
 * are full text, which are exact terms and which are numbers, for the builder and the searcher alike.
 *
 * <p>Full-text columns are analyzed with Lucene's standard analyzer (Unicode word boundaries,
 * lower case, no stop words) and also kept whole under {@code <column>.keyword} when no longer than
 * {@link #MAX_EXACT_LENGTH} characters, as Elasticsearch's default mapping does. Exact columns and
 * attribute values ({@code attributes.<key>}, {@code resource_attributes.<key>}) are single terms,
 * case-sensitive; attribute keys beyond the table's bound go to one catch-all field per map (see
 * {@link AttributeFields}). Every document also carries the hidden fields that lead back to its row: the data
 * file, the row's position in it, and its time in epoch microseconds; and, when the index keeps
 * rows, the row itself.
 */
public enum IndexedTable {
  LOGS("logs", "time", List.of("body"), List.of("severity_text", "service_name", "trace_id", "span_id", "scope_name",
      "event_name"), Map.of("severity_number", Integer.class)),
  SPANS("spans", "start_time", List.of("name", "status_message"), List.of("trace_id", "span_id", "parent_span_id",
      "kind", "status_code", "service_name", "scope_name"), Map.of("duration_ns", Long.class));

  /** The data file a document's row lives in. */
  public static final String FILE = "_file";
  /** The row's position in its data file. */
  public static final String POSITION = "_pos";
  /** The row's time (the table's time column) in epoch microseconds. */
  public static final String TIME = "_time";
  /** The whole row, stored (not indexed) when the index keeps rows; see {@link StoredRows}. */
  public static final String ROW = "_row";
  public static final String KEYWORD_SUFFIX = ".keyword";
  public static final int MAX_EXACT_LENGTH = 256;
  /** Full text with positions (for phrases) but no norms: searches sort by time, never by score. */
  private static final FieldType FULL_TEXT = fullText();

  private final String tableName;
  private final String timeColumn;
  private final List<String> textColumns;
  private final List<String> exactColumns;
  private final Map<String, Class<? extends Number>> numericColumns;

  IndexedTable(String tableName, String timeColumn, List<String> textColumns, List<String> exactColumns,
      Map<String, Class<? extends Number>> numericColumns) {
    this.tableName = tableName;
    this.timeColumn = timeColumn;
    this.textColumns = textColumns;
    this.exactColumns = exactColumns;
    this.numericColumns = numericColumns;
  }

  /** The indexed table called {@code tableName}, if that table is indexed. */
  public static Optional<IndexedTable> of(String tableName) {
    return Arrays.stream(values()).filter(table -> table.tableName.equals(tableName)).findFirst();
  }

  public String tableName() {
    return tableName;
  }

  public String timeColumn() {
    return timeColumn;
  }

  /** The fields a query's bare words search. */
  public List<String> defaultFields() {
    return textColumns;
  }

  public Map<String, Class<? extends Number>> numericColumns() {
    return numericColumns;
  }

  /** Whether {@code field} is analyzed as full text (others are matched as whole terms). */
  public static boolean isFullText(String field) {
    return Arrays.stream(values()).anyMatch(table -> table.textColumns.contains(field));
  }

  /** The columns the builder reads from the table's data files. */
  public Schema projection(Schema tableSchema) {
    List<String> columns = new ArrayList<>();
    columns.add(timeColumn);
    columns.addAll(textColumns);
    columns.addAll(exactColumns);
    columns.addAll(numericColumns.keySet());
    columns.addAll(AttributeFields.MAPS);
    return tableSchema.select(columns);
  }

  /** The row's time in epoch microseconds. */
  public long timeMicros(Record row) {
    OffsetDateTime time = (OffsetDateTime) row.getField(timeColumn);
    return ChronoUnit.MICROS.between(Instant.EPOCH, time.toInstant());
  }

  /**
   * The document of {@code row}, the row at {@code position} of {@code dataFile}; {@code storedRow}
   * is the whole row encoded by {@link StoredRows}, or null when the index does not keep rows;
   * {@code attributeFields} says which attribute keys are fields of their own.
   */
  public Document document(Record row, String dataFile, long position, byte[] storedRow,
      AttributeFields attributeFields) {
    Document document = new Document();
    if (storedRow != null) {
      document.add(new StoredField(ROW, storedRow));
    }
    document.add(new StringField(FILE, dataFile, Field.Store.NO));
    document.add(new SortedDocValuesField(FILE, new BytesRef(dataFile)));
    document.add(new NumericDocValuesField(POSITION, position));
    long time = timeMicros(row);
    document.add(new LongPoint(TIME, time));
    document.add(new NumericDocValuesField(TIME, time));
    for (String column : textColumns) {
      Object value = row.getField(column);
      if (value != null) {
        String text = value.toString();
        document.add(new Field(column, text, FULL_TEXT));
        addExact(document, column + KEYWORD_SUFFIX, text);
      }
    }
    for (String column : exactColumns) {
      Object value = row.getField(column);
      if (value != null) {
        addExact(document, column, value.toString());
      }
    }
    numericColumns.forEach((column, type) -> {
      Object value = row.getField(column);
      if (value instanceof Integer number) {
        document.add(new IntPoint(column, number));
      } else if (value instanceof Long number) {
        document.add(new LongPoint(column, number));
      }
    });
    List<String> attributeFieldsOfRow = new ArrayList<>();
    for (String map : AttributeFields.MAPS) {
      if (row.getField(map) instanceof Map<?, ?> attributes) {
        attributes.forEach((key, value) -> {
          if (key != null && value != null) {
            attributeFieldsOfRow.add(map + "." + key);
          }
        });
      }
    }
    attributeFields.claimRoomFor(attributeFieldsOfRow);
    for (String map : AttributeFields.MAPS) {
      if (row.getField(map) instanceof Map<?, ?> attributes) {
        attributes.forEach((key, value) -> {
          if (key != null && value != null) {
            String name = key.toString();
            String field = map + "." + name;
            String text = value.toString();
            if (attributeFields.owns(field)) {
              addExact(document, field, text);
            } else if (name.length() <= AttributeFields.MAX_FIELD_LENGTH && text.length() <= MAX_EXACT_LENGTH) {
              document.add(new StringField(AttributeFields.catchAll(map), name + AttributeFields.SEPARATOR + text,
                  Field.Store.NO));
            }
          }
        });
      }
    }
    return document;
  }

  private static FieldType fullText() {
    FieldType type = new FieldType(TextField.TYPE_NOT_STORED);
    type.setOmitNorms(true);
    type.freeze();
    return type;
  }

  private static void addExact(Document document, String field, String value) {
    if (value.length() <= MAX_EXACT_LENGTH) {
      document.add(new StringField(field, value, Field.Store.NO));
    }
  }
}
