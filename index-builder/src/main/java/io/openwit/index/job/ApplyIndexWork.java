package io.openwit.index.job;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.index.build.SegmentBuilder;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.SegmentStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one table's index work, keyed by table so one task owns each table's segments: forgets
 * files that left the table (deleting segments left empty), builds and registers a segment for new
 * files, then merges the table's small segments once there are enough of them. A segment that
 * fails to register (its files were indexed meanwhile) is deleted, never registered twice.
 */
final class ApplyIndexWork extends KeyedProcessFunction<String, IndexWork, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyIndexWork.class);
  /** Merges take at most this many segments at once, to bound a merge's time and disk. */
  private static final int MAX_MERGE_INPUTS = 32;

  private final OpenWitConfig config;
  private transient RESTCatalog catalog;
  private transient IndexRegistry registry;
  private transient SegmentBuilder builder;
  private transient Path work;
  private transient Path cache;

  ApplyIndexWork(OpenWitConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext context) throws Exception {
    catalog = IndexJob.catalog(config);
    registry = Metastore.of(config).indexes();
    work = Files.createTempDirectory("openwit-index-");
    builder = new SegmentBuilder(work.resolve("build"), config.index().storeRows());
    cache = work.resolve("cache");
  }

  @Override
  public void processElement(IndexWork work, Context context, Collector<Void> out) throws Exception {
    IndexedTable layout = IndexedTable.of(work.table).orElseThrow();
    Table table = catalog.loadTable(TableIdentifier.of(work.tenant, work.table));
    if (work.removed.length > 0) {
      List<IndexRegistry.Segment> emptied = registry.forgetFiles(work.tenant, work.table, List.of(work.removed));
      emptied.forEach(segment -> SegmentStorage.delete(table.io(), segment, cache));
      LOG.info("{}: forgot {} data files that left the table, deleted {} empty segments", work.tableKey(),
          work.removed.length, emptied.size());
    }
    Set<String> indexed = registry.indexedFiles(work.tenant, work.table);
    List<SegmentBuilder.DataFileRef> files = new ArrayList<>();
    List<IndexRegistry.IndexedFile> covered = new ArrayList<>();
    long dataBytes = 0;
    for (int i = 0; i < work.paths.length; i++) {
      if (!indexed.contains(work.paths[i])) {
        dataBytes += work.sizes[i];
        files.add(new SegmentBuilder.DataFileRef(work.paths[i], work.formats[i]));
        covered.add(new IndexRegistry.IndexedFile(work.paths[i], work.recordCounts[i]));
      }
    }
    if (!files.isEmpty()) {
      long started = System.nanoTime();
      IndexRegistry.Segment segment = builder.build(work.tenant, table, layout, files);
      long elapsedMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
      try {
        registry.register(segment, covered);
      } catch (IndexRegistry.AlreadyIndexedException e) {
        SegmentStorage.delete(table.io(), segment, cache);
        LOG.info("{}: dropped segment {}: {}", work.tableKey(), segment.id(), e.getMessage());
        return;
      }
      LOG.info("{}: indexed {} rows of {} data files ({} bytes) into segment {} ({} bytes) in {} ms: {} rows/s",
          work.tableKey(), segment.rowCount(), files.size(), dataBytes, segment.id(), segment.sizeBytes(), elapsedMs,
          segment.rowCount() * 1000 / elapsedMs);
    }
    mergeSmallSegments(work, table, layout);
  }

  private void mergeSmallSegments(IndexWork work, Table table, IndexedTable layout) throws Exception {
    List<IndexRegistry.Segment> small = registry.smallSegments(work.tenant, work.table, config.index().mergeMaxRows());
    if (small.size() < config.index().mergeMinSegments()) {
      return;
    }
    Set<String> chosen = new HashSet<>();
    small.stream().limit(MAX_MERGE_INPUTS).forEach(segment -> chosen.add(segment.id()));
    List<IndexRegistry.LiveSegment> inputs = registry.liveSegments(work.tenant, work.table, Long.MIN_VALUE, Long.MAX_VALUE)
        .stream().filter(live -> chosen.contains(live.segment().id())).toList();
    IndexRegistry.Segment merged = builder.merge(work.tenant, table, layout, inputs, cache);
    registry.replace(chosen, merged);
    inputs.forEach(input -> SegmentStorage.delete(table.io(), input.segment(), cache));
    LOG.info("{}: merged {} segments into {} ({} rows)", work.tableKey(), inputs.size(), merged.id(), merged.rowCount());
  }

  @Override
  public void close() throws Exception {
    if (catalog != null) {
      catalog.close();
    }
    if (work != null) {
      SegmentStorage.deleteTree(work);
    }
  }
}
