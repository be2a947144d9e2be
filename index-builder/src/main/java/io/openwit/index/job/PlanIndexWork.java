package io.openwit.index.job;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.schema.TableSchemas;
import io.openwit.index.format.IndexedTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On every tick, compares each tenant's logs and spans tables with the index registry and emits
 * the work that brings the index level with the table: data files the table gained, and files it
 * lost to retention or compaction. The registry is the job's only state, so a restarted job plans
 * from where the last one got, neither skipping nor repeating a file. Files the registry lists as
 * unindexable are left out (and forgotten once they leave the table).
 */
final class PlanIndexWork extends ProcessFunction<Long, IndexWork> {
  private static final Logger LOG = LoggerFactory.getLogger(PlanIndexWork.class);
  /** Files handed to the builder are planned again only if still not indexed after this long. */
  private static final long IN_FLIGHT_MS = 10 * 60_000L;

  private final OpenWitConfig config;
  private transient RESTCatalog catalog;
  private transient IndexRegistry registry;
  private transient BatchStore batches;
  /** Per table: data files handed to the builder, and when. */
  private transient Map<String, Map<String, Long>> inFlight;
  private transient Map<String, Long> lastSnapshot;

  PlanIndexWork(OpenWitConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext context) {
    catalog = IndexJob.catalog(config);
    Metastore metastore = Metastore.of(config);
    registry = metastore.indexes();
    batches = metastore.batches();
    inFlight = new HashMap<>();
    lastSnapshot = new HashMap<>();
  }

  @Override
  public void processElement(Long tick, Context context, Collector<IndexWork> out) throws IOException {
    for (Namespace namespace : catalog.listNamespaces()) {
      for (IndexedTable layout : IndexedTable.values()) {
        TableIdentifier identifier = TableIdentifier.of(namespace, layout.tableName());
        if (catalog.tableExists(identifier)) {
          plan(namespace.level(0), layout, catalog.loadTable(identifier), out);
        }
      }
    }
  }

  private void plan(String tenant, IndexedTable layout, Table table, Collector<IndexWork> out) throws IOException {
    long loadedAt = System.currentTimeMillis();
    String key = tenant + "." + layout.tableName();
    Long snapshotId = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    if (snapshotId == null || snapshotId.equals(lastSnapshot.get(key))) {
      return;
    }
    Map<String, DataFile> live = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> live.put(task.file().location(), task.file()));
    }
    Set<String> indexed = registry.indexedFiles(tenant, layout.tableName());
    Set<String> unindexable = registry.unindexableFiles(tenant, layout.tableName());
    List<String> unindexableGone = unindexable.stream().filter(path -> !live.containsKey(path)).toList();
    if (!unindexableGone.isEmpty()) {
      registry.forgetUnindexable(tenant, layout.tableName(), unindexableGone);
    }
    Map<String, Long> handed = inFlight.computeIfAbsent(key, unused -> new HashMap<>());
    List<DataFile> added = new ArrayList<>();
    live.forEach((path, file) -> {
      Long handedAt = handed.get(path);
      if (!indexed.contains(path) && !unindexable.contains(path)
          && (handedAt == null || loadedAt - handedAt > IN_FLIGHT_MS)) {
        added.add(file);
      }
    });
    List<String> removed = indexed.stream().filter(path -> !live.containsKey(path)).sorted().toList();
    handed.keySet().removeIf(path -> indexed.contains(path) || unindexable.contains(path) || !live.containsKey(path));
    added.sort((a, b) -> a.location().compareTo(b.location()));
    // while files that left the table are still indexed, new files may hold their rows (compaction):
    // they stay hidden until all of them are indexed, then one settle swaps old for new
    boolean replacing = !removed.isEmpty() || !registry.pendingFiles(tenant, layout.tableName()).isEmpty();

    int perSegment = config.index().maxFilesPerSegment();
    for (int start = 0; start < added.size(); start += perSegment) {
      List<DataFile> chunk = added.subList(start, Math.min(added.size(), start + perSegment));
      out.collect(IndexWork.index(tenant, layout.tableName(),
          chunk.stream().map(DataFile::location).toArray(String[]::new),
          chunk.stream().map(file -> file.format().name()).toArray(String[]::new),
          chunk.stream().mapToLong(DataFile::recordCount).toArray(),
          chunk.stream().mapToLong(DataFile::fileSizeInBytes).toArray(), replacing));
      chunk.forEach(file -> handed.put(file.location(), loadedAt));
    }
    if (replacing && added.isEmpty() && handed.isEmpty()) {
      out.collect(IndexWork.settle(tenant, layout.tableName(), removed.toArray(String[]::new)));
    }
    if (handed.isEmpty() && added.isEmpty()) {
      // everything this snapshot holds is indexed: so is every batch stored before it was read
      lastSnapshot.put(key, snapshotId);
      TableSchemas.signalOfTable(layout.tableName()).ifPresent(signal ->
          batches.markIndexed(tenant, signal.headerValue(), loadedAt, System.currentTimeMillis()));
    } else if (!added.isEmpty()) {
      LOG.debug("{}: {} data files to index, {} to forget", key, added.size(), removed.size());
    }
  }

  @Override
  public void close() throws Exception {
    if (catalog != null) {
      catalog.close();
    }
  }
}
