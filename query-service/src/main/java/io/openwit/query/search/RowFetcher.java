package io.openwit.query.search;

import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.StoredRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetadataColumns;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The rows search hits point at, with all their columns: decoded from the segment when it keeps
 * rows, else read from the data files, each once, only its row groups whose time statistics overlap
 * the hits' times, and only until every hit in it is found.
 */
public final class RowFetcher {
  private RowFetcher() {}

  /** The rows of {@code hits}, in the hits' order; stops with a timeout at {@code deadline}. */
  public static List<Record> rows(Table table, IndexedTable layout, List<FullTextSearch.Hit> hits,
      QueryDeadline deadline) {
    Map<FullTextSearch.Hit, Record> found = new HashMap<>();
    Map<String, List<FullTextSearch.Hit>> byFile = new LinkedHashMap<>();
    StoredRows stored = null;
    for (FullTextSearch.Hit hit : hits) {
      if (hit.storedRow() != null) {
        stored = stored == null ? StoredRows.of(table) : stored;
        found.put(hit, stored.decode(hit.storedRow()));
      } else {
        byFile.computeIfAbsent(hit.dataFile(), unused -> new ArrayList<>()).add(hit);
      }
    }
    Schema schema = table.schema();
    List<Types.NestedField> columns = new ArrayList<>(schema.columns());
    columns.add(MetadataColumns.ROW_POSITION);
    Schema withPosition = new Schema(columns);
    byFile.forEach((file, fileHits) -> {
      Map<Long, FullTextSearch.Hit> wanted = new HashMap<>();
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (FullTextSearch.Hit hit : fileHits) {
        wanted.put(hit.position(), hit);
        min = Math.min(min, hit.timeMicros());
        max = Math.max(max, hit.timeMicros());
      }
      try (CloseableIterable<Record> rows = FormatModelRegistry.readBuilder(FileFormat.fromFileName(file),
              Record.class, table.io().newInputFile(file))
          .project(withPosition)
          .filter(Expressions.and(Expressions.greaterThanOrEqual(layout.timeColumn(), min),
              Expressions.lessThanOrEqual(layout.timeColumn(), max)))
          .build()) {
        for (Record row : rows) {
          deadline.check();
          FullTextSearch.Hit hit = wanted.remove((Long) row.getField(MetadataColumns.ROW_POSITION.name()));
          if (hit != null) {
            found.put(hit, withoutPosition(row, schema));
            if (wanted.isEmpty()) {
              break;
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    });
    List<Record> ordered = new ArrayList<>();
    for (FullTextSearch.Hit hit : hits) {
      Record row = found.get(hit);
      if (row != null) {
        ordered.add(row);
      }
    }
    return ordered;
  }

  private static Record withoutPosition(Record row, Schema schema) {
    Record copy = GenericRecord.create(schema);
    for (Types.NestedField column : schema.columns()) {
      copy.setField(column.name(), row.getField(column.name()));
    }
    return copy;
  }
}
