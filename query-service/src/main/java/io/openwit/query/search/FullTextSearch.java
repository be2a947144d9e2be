package io.openwit.query.search;

import io.openwit.common.metastore.IndexRegistry;
import io.openwit.index.format.AttributeFields;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.SegmentStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.iceberg.Table;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ExitableDirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * Searches a tenant table's index: the segments the registry lists for the time range, limited to
 * rows of data files still live in the table, newest first. Segment readers stay open between
 * searches and are closed once no search uses them and the registry no longer lists them.
 */
public final class FullTextSearch implements AutoCloseable {
  private static final Set<String> STORED_ROW = Set.of(IndexedTable.ROW);
  /** Newest first; file and position break ties, so that every row has one place to resume after. */
  private static final Sort NEWEST_FIRST = new Sort(new SortField(IndexedTable.TIME, SortField.Type.LONG, true),
      new SortField(IndexedTable.FILE, SortField.Type.STRING), new SortField(IndexedTable.POSITION, SortField.Type.LONG));

  /**
   * A matching row: its data file, its position there, its time in epoch microseconds, and the
   * row as the segment keeps it ({@code StoredRows}; null when the segment keeps no rows).
   */
  public record Hit(String dataFile, long position, long timeMicros, byte[] storedRow) {}

  /** The newest matches and how many rows match in all. */
  public record Hits(long total, List<Hit> hits) {}

  private final IndexRegistry registry;
  private final Path cache;
  private final ConcurrentMap<String, DirectoryReader> readers = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, String> tableOfSegment = new ConcurrentHashMap<>();

  public FullTextSearch(IndexRegistry registry, Path cache) {
    this.registry = registry;
    this.cache = cache;
  }

  /**
   * The {@code limit} newest rows matching {@code query} (parsed by {@code QueryLanguage}) between
   * {@code fromMicros} and {@code toMicros}; when {@code after} is given, the next ones after that
   * hit (a previous page's last). Stops with {@link QueryDeadline.QueryTimedOutException} at {@code deadline}.
   */
  public Hits search(String tenant, Table table, IndexedTable layout, Query query, long fromMicros, long toMicros,
      int limit, Hit after, QueryDeadline deadline) throws IOException {
    return withSearcher(tenant, table, layout, fromMicros, toMicros, query, deadline, (searcher, filtered) -> {
      long total = searcher.count(filtered);
      if (limit == 0 || total == 0) {
        return new Hits(total, List.of());
      }
      TopDocs top = after == null ? searcher.search(filtered, limit, NEWEST_FIRST)
          // the last document id: a row equal on every sort field is the cursor's own row, and is skipped
          : searcher.searchAfter(new FieldDoc(searcher.getIndexReader().maxDoc() - 1, Float.NaN, new Object[] {
              after.timeMicros(), new BytesRef(after.dataFile()), after.position()}), filtered, limit, NEWEST_FIRST);
      List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
      StoredFields storedFields = searcher.storedFields();
      List<Hit> hits = new ArrayList<>();
      for (ScoreDoc doc : top.scoreDocs) {
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc.doc, leaves));
        int leafDoc = doc.doc - leaf.docBase;
        SortedDocValues files = leaf.reader().getSortedDocValues(IndexedTable.FILE);
        NumericDocValues positions = leaf.reader().getNumericDocValues(IndexedTable.POSITION);
        NumericDocValues times = leaf.reader().getNumericDocValues(IndexedTable.TIME);
        files.advanceExact(leafDoc);
        positions.advanceExact(leafDoc);
        times.advanceExact(leafDoc);
        BytesRef stored = storedFields.document(doc.doc, STORED_ROW).getBinaryValue(IndexedTable.ROW);
        hits.add(new Hit(files.lookupOrd(files.ordValue()).utf8ToString(), positions.longValue(), times.longValue(),
            stored == null ? null : BytesRef.deepCopyOf(stored).bytes));
      }
      return new Hits(total, hits);
    });
  }

  /**
   * How many rows between {@code fromMicros} and {@code toMicros} match {@code query}, per bucket of
   * {@code intervalMicros} starting at {@code originMicros} (at or before {@code fromMicros}). Stops with
   * {@link QueryDeadline.QueryTimedOutException} at {@code deadline}.
   */
  public long[] histogram(String tenant, Table table, IndexedTable layout, Query query, long fromMicros,
      long toMicros, long originMicros, long intervalMicros, QueryDeadline deadline) throws IOException {
    int buckets = Math.toIntExact((toMicros - originMicros) / intervalMicros + 1);
    return withSearcher(tenant, table, layout, fromMicros, toMicros, query, deadline, (searcher, filtered) -> {
      long[] counts = new long[buckets];
      searcher.search(filtered, new TimeBuckets(counts, originMicros, intervalMicros));
      return counts;
    });
  }

  /** The earliest and latest row time the table's index holds, or null when it holds none. */
  public long[] timeBounds(String tenant, IndexedTable layout) {
    List<IndexRegistry.LiveSegment> segments =
        registry.liveSegments(tenant, layout.tableName(), Long.MIN_VALUE, Long.MAX_VALUE);
    if (segments.isEmpty()) {
      return null;
    }
    long min = segments.stream().mapToLong(live -> live.segment().minTime()).min().orElseThrow();
    long max = segments.stream().mapToLong(live -> live.segment().maxTime()).max().orElseThrow();
    return new long[] {min, max};
  }

  private interface SearchWork<T> {
    T run(IndexSearcher searcher, Query filtered) throws IOException;
  }

  private <T> T withSearcher(String tenant, Table table, IndexedTable layout, long fromMicros, long toMicros,
      Query query, QueryDeadline deadline, SearchWork<T> work) throws IOException {
    String tableKey = tenant + "." + layout.tableName();
    List<IndexRegistry.LiveSegment> all = registry.liveSegments(tenant, layout.tableName(), Long.MIN_VALUE, Long.MAX_VALUE);
    evictUnlisted(tableKey, all);
    List<DirectoryReader> acquired = new ArrayList<>();
    try {
      List<BytesRef> liveFiles = new ArrayList<>();
      for (IndexRegistry.LiveSegment segment : all) {
        // a segment of files still hidden (replacing files not yet settled) is not searched yet
        if (!segment.dataFiles().isEmpty()
            && segment.segment().maxTime() >= fromMicros && segment.segment().minTime() <= toMicros) {
          acquired.add(acquire(tableKey, table, segment.segment()));
          // opening a segment may download it
          deadline.check();
          segment.dataFiles().forEach(file -> liveFiles.add(new BytesRef(file)));
        }
      }
      Query filtered = new BooleanQuery.Builder()
          // keys beyond the table's attribute field bound are searched in the catch-all field
          .add(AttributeFields.rewrite(query, registry.attributeFields(tenant, layout.tableName())),
              BooleanClause.Occur.FILTER)
          .add(LongPoint.newRangeQuery(IndexedTable.TIME, fromMicros, toMicros), BooleanClause.Occur.FILTER)
          // rows of files that left the table (retention, compaction) stay in a segment until it is merged;
          // rows of hidden files wait for the settle that forgets the files they replace
          .add(new TermInSetQuery(IndexedTable.FILE, liveFiles), BooleanClause.Occur.FILTER)
          .build();
      // term expansion and doc-value reads poll the deadline through the exitable readers, scoring through the searcher
      IndexReader[] exitable = new IndexReader[acquired.size()];
      for (int i = 0; i < exitable.length; i++) {
        exitable[i] = new ExitableDirectoryReader(acquired.get(i), deadline);
      }
      IndexSearcher searcher = new IndexSearcher(new MultiReader(exitable, false));
      searcher.setTimeout(deadline);
      T result = work.run(searcher, filtered);
      if (searcher.timedOut()) {
        throw deadline.timedOut();
      }
      return result;
    } catch (ExitableDirectoryReader.ExitingReaderException e) {
      throw deadline.timedOut();
    } finally {
      for (DirectoryReader reader : acquired) {
        reader.decRef();
      }
    }
  }

  /** An open reader of {@code segment}, referenced for the caller, who must decRef it. */
  private DirectoryReader acquire(String tableKey, Table table, IndexRegistry.Segment segment) throws IOException {
    while (true) {
      DirectoryReader reader = readers.get(segment.id());
      if (reader == null) {
        DirectoryReader opened = DirectoryReader.open(SegmentStorage.open(table.io(), segment, cache));
        reader = readers.putIfAbsent(segment.id(), opened);
        if (reader != null) {
          opened.close();
        } else {
          reader = opened;
          tableOfSegment.put(segment.id(), tableKey);
        }
      }
      if (reader.tryIncRef()) {
        return reader;
      }
      readers.remove(segment.id(), reader);
    }
  }

  /** Drops the cache's reference to this table's readers of segments the registry no longer lists (merged, emptied). */
  private void evictUnlisted(String tableKey, List<IndexRegistry.LiveSegment> listed) {
    Set<String> ids = new HashSet<>();
    listed.forEach(live -> ids.add(live.segment().id()));
    tableOfSegment.forEach((id, key) -> {
      if (key.equals(tableKey) && !ids.contains(id)) {
        DirectoryReader reader = readers.remove(id);
        tableOfSegment.remove(id);
        if (reader != null) {
          decRef(reader);
        }
      }
    });
  }

  private static void decRef(DirectoryReader reader) {
    try {
      reader.decRef();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close an index reader", e);
    }
  }

  @Override
  public void close() throws IOException {
    for (DirectoryReader reader : readers.values()) {
      reader.decRef();
    }
    readers.clear();
  }
}
