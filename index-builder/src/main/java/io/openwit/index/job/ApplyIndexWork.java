package io.openwit.index.job;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.index.build.SegmentBuilder;
import io.openwit.index.build.UnreadableDataFileException;
import io.openwit.index.format.AttributeFields;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.SegmentStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
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
 *
 * <p>When a data file cannot be read, the work's files are indexed one by one, each retried a few
 * times, so the good ones get indexed. A file that still fails on its own, while the table's catalog
 * and storage answer, is reported unindexable ({@link UnindexableFiles}) and the job goes on; when
 * they do not answer, it is an outage: the work fails and the job restarts as for any other failure.
 */
final class ApplyIndexWork extends KeyedProcessFunction<String, IndexWork, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyIndexWork.class);
  /** Merges take at most this many segments at once, to bound a merge's time and disk. */
  private static final int MAX_MERGE_INPUTS = 32;
  /** Tries of one data file on its own before it counts as unindexable, with a growing pause between. */
  private static final int ATTEMPTS_ALONE = 3;
  private static final long RETRY_PAUSE_MS = 1_000;

  private final OpenWitConfig config;
  private transient RESTCatalog catalog;
  private transient IndexRegistry registry;
  private transient SegmentBuilder builder;
  private transient Path work;
  private transient Path cache;
  private transient UnindexableFiles unindexable;

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
    unindexable = new UnindexableFiles(config, registry,
        getRuntimeContext().getMetricGroup().counter(UnindexableFiles.METRIC));
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
    Set<String> unindexableFiles = registry.unindexableFiles(work.tenant, work.table);
    List<WorkFile> files = new ArrayList<>();
    for (int i = 0; i < work.paths.length; i++) {
      if (!indexed.contains(work.paths[i]) && !unindexableFiles.contains(work.paths[i])) {
        files.add(new WorkFile(new SegmentBuilder.DataFileRef(work.paths[i], work.formats[i]),
            new IndexRegistry.IndexedFile(work.paths[i], work.recordCounts[i]), work.sizes[i]));
      }
    }
    if (!files.isEmpty()) {
      try {
        index(work, table, layout, files);
      } catch (UnreadableDataFileException e) {
        if (!tableAnswers(work, table)) {
          throw new IOException(work.tableKey() + ": " + e.getMessage() + ", and the table's catalog or storage does not"
              + " answer: an outage, not a bad file", e);
        }
        LOG.warn("{}: {}; indexing the work's {} data files one by one", work.tableKey(), e.getMessage(), files.size());
        indexOneByOne(work, table, layout, files);
      }
    }
    mergeSmallSegments(work, table, layout);
  }

  /** A data file of the work: what the builder reads, what the registry records, and its size. */
  private record WorkFile(SegmentBuilder.DataFileRef ref, IndexRegistry.IndexedFile covered, long sizeBytes) {}

  /** Builds and registers one segment indexing {@code files}. */
  private void index(IndexWork work, Table table, IndexedTable layout, List<WorkFile> files) throws Exception {
    long started = System.nanoTime();
    String id = SegmentBuilder.newSegmentId();
    int maxFields = config.index().maxAttributeFields();
    AttributeFields attributeFields = new AttributeFields(registry.attributeFields(work.tenant, work.table), maxFields,
        wanted -> registry.claimAttributeFields(work.tenant, work.table, wanted, maxFields));
    List<SegmentBuilder.DataFileRef> refs = files.stream().map(WorkFile::ref).toList();
    IndexRegistry.Segment segment = inFlight(work, table, id,
        () -> builder.build(id, work.tenant, table, layout, refs, attributeFields));
    long elapsedMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
    try {
      registry.register(segment, files.stream().map(WorkFile::covered).toList(), !work.hidden);
    } catch (IndexRegistry.AlreadyIndexedException e) {
      SegmentStorage.delete(table.io(), segment, cache);
      registry.abandon(id);
      LOG.info("{}: dropped segment {}: {}", work.tableKey(), segment.id(), e.getMessage());
      return;
    }
    LOG.info("{}: indexed {} rows of {} data files ({} bytes) into segment {} ({} bytes{}) in {} ms: {} rows/s",
        work.tableKey(), segment.rowCount(), files.size(), files.stream().mapToLong(WorkFile::sizeBytes).sum(),
        segment.id(), segment.sizeBytes(), work.hidden ? ", hidden until settled" : "", elapsedMs,
        segment.rowCount() * 1000 / elapsedMs);
  }

  /**
   * Indexes each of {@code files} in a segment of its own (merges join them later), retrying a file
   * that cannot be read; reports the files that still cannot, unless the table's catalog or storage
   * stopped answering meanwhile (an outage: the work fails) or the file left the table (nothing to index).
   */
  private void indexOneByOne(IndexWork work, Table table, IndexedTable layout, List<WorkFile> files) throws Exception {
    List<UnreadableDataFileException> failed = new ArrayList<>();
    for (WorkFile file : files) {
      try {
        indexAlone(work, table, layout, file);
      } catch (UnreadableDataFileException e) {
        failed.add(e);
      }
    }
    if (failed.isEmpty()) {
      return;
    }
    Set<String> live = liveFiles(work, table).orElseThrow(() -> new IOException(work.tableKey() + ": "
        + failed.size() + " data files cannot be read, and the table's catalog or storage does not answer: an outage,"
        + " not bad files", failed.get(0)));
    for (UnreadableDataFileException e : failed) {
      if (live.contains(e.path())) {
        unindexable.report(work.tenant, work.table, e);
      } else {
        LOG.info("{}: data file {} left the table while it was being indexed", work.tableKey(), e.path());
      }
    }
  }

  private void indexAlone(IndexWork work, Table table, IndexedTable layout, WorkFile file) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        index(work, table, layout, List.of(file));
        return;
      } catch (UnreadableDataFileException e) {
        if (attempt == ATTEMPTS_ALONE) {
          throw e;
        }
        LOG.warn("{}: attempt {} of {}: {}", work.tableKey(), attempt, ATTEMPTS_ALONE, e.getMessage());
        Thread.sleep(RETRY_PAUSE_MS * attempt);
      }
    }
  }

  private boolean tableAnswers(IndexWork work, Table table) {
    return liveFiles(work, table).isPresent();
  }

  /**
   * The data files of the table as its catalog and storage now list them (reloading its metadata
   * and reading its manifests), or empty when either does not answer.
   */
  private static Optional<Set<String>> liveFiles(IndexWork work, Table table) {
    Set<String> live = new HashSet<>();
    try {
      table.refresh();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        tasks.forEach(task -> live.add(task.file().location()));
      }
      return Optional.of(live);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: the table's catalog or storage does not answer: {}", work.tableKey(), e.toString());
      return Optional.empty();
    }
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
    if (unindexable != null) {
      unindexable.close();
    }
    if (catalog != null) {
      catalog.close();
    }
    if (work != null) {
      SegmentStorage.deleteTree(work);
    }
  }
}
