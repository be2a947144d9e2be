package io.openwit.query.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openwit.common.schema.TableSchemas;
import io.openwit.query.search.QueryDeadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Every span of one trace, read straight from the tenant's spans table: the scan keeps only the
 * data files whose trace_id bounds admit the id and, inside them, the row groups its Parquet bloom
 * filter admits; a time window prunes whole day partitions first.
 */
final class TraceLookup {
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");

  private final Catalog catalog;

  TraceLookup(Catalog catalog) {
    this.catalog = catalog;
  }

  /** A 32-digit lowercase hex id, as the tables hold them; uppercase is accepted and lowered. */
  static String normalize(String traceId) {
    String id = traceId.toLowerCase();
    if (!TRACE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("a trace id is 32 hexadecimal digits, got '" + traceId + "'");
    }
    return id;
  }

  /**
   * The trace's spans, earliest first; empty when the tenant has no such trace (or no spans table).
   * Stops with a timeout at {@code deadline}.
   */
  List<ObjectNode> spans(String tenant, String traceId, Instant from, Instant to, QueryDeadline deadline) {
    Table table;
    try {
      table = catalog.loadTable(TableIdentifier.of(tenant, TableSchemas.SPANS.name()));
    } catch (NoSuchTableException | NoSuchNamespaceException e) {
      return List.of();
    }
    Expression filter = Expressions.equal("trace_id", traceId);
    if (from != null) {
      filter = Expressions.and(filter, Expressions.greaterThanOrEqual("start_time", micros(from)));
    }
    if (to != null) {
      filter = Expressions.and(filter, Expressions.lessThan("start_time", micros(to)));
    }
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> scan = IcebergGenerics.read(table).where(filter).build()) {
      for (Record row : scan) {
        deadline.check();
        // the scan prunes files and row groups; rows are checked here
        if (traceId.equals(row.getField("trace_id"))) {
          rows.add(row.copy());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table.name(), e);
    }
    rows.sort(Comparator.comparing(row -> (OffsetDateTime) row.getField("start_time")));
    return rows.stream().map(RecordJson::of).toList();
  }

  private static long micros(Instant time) {
    return TimeUnit.SECONDS.toMicros(time.getEpochSecond()) + time.getNano() / 1_000;
  }
}
