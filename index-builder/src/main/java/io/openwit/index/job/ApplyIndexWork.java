package io.openwit.index.job;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.index.build.SegmentBuilder;
import io.openwit.index.format.AttributeFields;
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
 * Applies one table's index work, keyed by table so one task owns each table's segments: builds
 * and registers a segment for new files (hidden from searches while they replace files still
 * indexed), settles (forgets files that left the table and shows their replacements at once,
 * deleting segments left empty), then merges the table's small segments once there are enough of
 * them. A segment is listed as in flight before its first file is written, so orphan removal spares
 * it; one that fails to register (its files were indexed meanwhile) is deleted, never registered twice.
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
    if (work.settle) {
      List<IndexRegistry.Segment> emptied = registry.settle(work.tenant, work.table, List.of(work.removed));
      emptied.forEach(segment -> SegmentStorage.delete(table.io(), segment, cache));
      LOG.info("{}: settled: forgot {} data files that left the table, deleted {} empty segments", work.tableKey(),
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
      String id = SegmentBuilder.newSegmentId();
      int maxFields = config.index().maxAttributeFields();
      AttributeFields attributeFields = new AttributeFields(registry.attributeFields(work.tenant, work.table), maxFields,
          wanted -> registry.claimAttributeFields(work.tenant, work.table, wanted, maxFields));
      IndexRegistry.Segment segment = inFlight(work, table, id,
          () -> builder.build(id, work.tenant, table, layout, files, attributeFields));
      long elapsedMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
      try {
        registry.register(segment, covered, !work.hidden);
      } catch (IndexRegistry.AlreadyIndexedException e) {
        SegmentStorage.delete(table.io(), segment, cache);
        registry.abandon(id);
        LOG.info("{}: dropped segment {}: {}", work.tableKey(), segment.id(), e.getMessage());
        return;
      }
      LOG.info("{}: indexed {} rows of {} data files ({} bytes) into segment {} ({} bytes{}) in {} ms: {} rows/s",
          work.tableKey(), segment.rowCount(), files.size(), dataBytes, segment.id(), segment.sizeBytes(),
          work.hidden ? ", hidden until settled" : "", elapsedMs, segment.rowCount() * 1000 / elapsedMs);
    }
    mergeSmallSegments(work, table, layout);
  }

  private interface SegmentWork {
    IndexRegistry.Segment run() throws Exception;
  }

  /**
   * Runs {@code build} with segment {@code id} listed as in flight; when it fails, whatever it
   * stored is deleted and the listing dropped.
   */
  private IndexRegistry.Segment inFlight(IndexWork work, Table table, String id, SegmentWork build) throws Exception {
    String location = SegmentStorage.location(table.location(), id);
    registry.startBuilding(id, work.tenant, work.table, location, System.currentTimeMillis());
    try {
      return build.run();
    } catch (Exception e) {
      SegmentStorage.deleteFolder(table.io(), location);
      registry.abandon(id);
      throw e;
    }
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
    String id = SegmentBuilder.newSegmentId();
    IndexRegistry.Segment merged = inFlight(work, table, id,
        () -> builder.merge(id, work.tenant, table, layout, inputs, cache));
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
