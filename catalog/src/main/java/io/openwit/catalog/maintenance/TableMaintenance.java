package io.openwit.catalog.maintenance;

import io.openwit.catalog.FlinkCommits;
import io.openwit.catalog.WarehouseLocations;
import io.openwit.common.metastore.IndexRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.ExpireSnapshots.CleanupLevel;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.events.CreateSnapshotEvent;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The janitor's work on one signal table: (1) drop the days past retention, (2) compact small
 * files, (3) expire old snapshots, deleting the files only they referenced, (4) delete orphan
 * files. Each step runs even when an earlier one failed; failures end up in the report.
 */
public final class TableMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  private TableMaintenance() {}

  /** What retention dropped, and the snapshot that dropped it. */
  private record Retention(int filesDropped, long rowsDropped, OptionalLong snapshotId) {
    static final Retention NONE = new Retention(0, 0, OptionalLong.empty());
  }

  /**
   * Maintains {@code table}, deleting no file outside {@code warehouse} whatever its metadata names,
   * nor any index segment {@code indexes} lists or has in flight.
   */
  public static TableReport maintain(WarehouseLocations warehouse, IndexRegistry indexes, Table table,
      MaintenancePolicy policy, long nowMillis) {
    Steps steps = new Steps(table.name());
    // judged before this run's own snapshots repeat (or expire) the pipeline's marks
    boolean removeOrphans = steps.run("orphan removal",
        () -> pipelineCommitsRecently(table, nowMillis - policy.orphanMinAgeMs()), false);
    Retention retention = steps.run("retention",
        () -> applyRetention(table, policy.retentionDays(), nowMillis), Retention.NONE);
    SmallFileCompaction.Result compaction = steps.run("compaction",
        () -> SmallFileCompaction.compact(table, policy.targetFileSizeBytes(), policy.minInputFiles()),
        SmallFileCompaction.Result.NONE);
    int snapshotsExpired = steps.run("snapshot expiration",
        () -> expireSnapshots(table, policy, warehouse, nowMillis, retention.snapshotId()), 0);
    int orphanFilesRemoved = removeOrphans
        ? steps.run("orphan removal",
            () -> OrphanFiles.remove(table, warehouse, indexes, nowMillis - policy.orphanMinAgeMs()), 0)
        : 0;
    return new TableReport(table.name(), compaction.filesCompacted(), compaction.filesWritten(),
        compaction.rowsRewritten(), retention.filesDropped(), retention.rowsDropped(), snapshotsExpired,
        orphanFilesRemoved, steps.errors);
  }

  /**
   * Files of a Flink checkpoint are unreferenced until its commit; a pipeline down since before the
   * orphan age may still commit them when it is restored, so orphans are only removed while the
   * pipeline commits to the table (or for a table Flink never wrote).
   */
  private static boolean pipelineCommitsRecently(Table table, long orphanBefore) {
    if (!FlinkCommits.everCommitted(table)) {
      return true;
    }
    boolean recent = FlinkCommits.lastPipelineCommitMillis(table).map(at -> at >= orphanBefore).orElse(false);
    if (!recent) {
      LOG.info("orphan removal skipped on {}: the pipeline has not committed to it within the orphan age", table.name());
    }
    return recent;
  }

  /** Deletes the rows before the cutoff day; whole day partitions match, so whole files go. */
  private static Retention applyRetention(Table table, int retentionDays, long nowMillis) {
    if (retentionDays == 0) {
      return Retention.NONE;
    }
    LocalDate cutoffDay = Instant.ofEpochMilli(nowMillis).atOffset(ZoneOffset.UTC).toLocalDate().minusDays(retentionDays);
    long cutoffMicros = TimeUnit.SECONDS.toMicros(cutoffDay.toEpochSecond(LocalTime.MIDNIGHT, ZoneOffset.UTC));
    Expression expired = Expressions.lessThan(timeColumn(table), cutoffMicros);
    int files = 0;
    long rows = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(expired).planFiles()) {
      for (FileScanTask task : tasks) {
        files++;
        rows += task.file().recordCount();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (files == 0) {
      return Retention.NONE;
    }
    DeleteFiles delete = table.newDelete().deleteFromRowFilter(expired);
    FlinkCommits.carryOver(table, delete);
    delete.commit();
    // currentSnapshot() may already show a concurrent append; the update knows its own snapshot
    if (!(delete.updateEvent() instanceof CreateSnapshotEvent committed)) {
      throw new IllegalStateException("the retention delete did not report its snapshot");
    }
    return new Retention(files, rows, OptionalLong.of(committed.snapshotId()));
  }

  /** The column the table is partitioned by day on: its first partition field's source. */
  private static String timeColumn(Table table) {
    List<PartitionField> fields = table.spec().fields();
    if (fields.isEmpty()) {
      throw new IllegalStateException("the table is not partitioned by time");
    }
    return table.schema().findColumnName(fields.get(0).sourceId());
  }

  /**
   * Expires snapshots past the policy's age, and, after a retention delete, every snapshot before
   * it: the dropped rows' files leave the disk only once no snapshot references them.
   */
  private static int expireSnapshots(Table table, MaintenancePolicy policy, WarehouseLocations warehouse,
      long nowMillis, OptionalLong retentionSnapshotId) {
    // one fresh view of the table for every look at its snapshots below
    table.refresh();
    Set<Long> before = snapshotIds(table);
    ExpireSnapshots expire = table.expireSnapshots()
        .expireOlderThan(nowMillis - policy.snapshotMaxAgeMs())
        .retainLast(policy.minSnapshotsToKeep())
        .cleanupLevel(CleanupLevel.ALL)
        // a commit could have named manifests or statistics anywhere: expiry deletes in the warehouse only
        .deleteWith(location -> deleteInside(table, warehouse, location));
    if (retentionSnapshotId.isPresent()) {
      snapshotsBefore(table, retentionSnapshotId.getAsLong()).forEach(expire::expireSnapshotId);
    }
    expire.commit();
    before.removeAll(snapshotIds(table));
    return before.size();
  }

  static void deleteInside(Table table, WarehouseLocations warehouse, String location) {
    if (warehouse.contains(location)) {
      table.io().deleteFile(location);
    } else {
      LOG.warn("not deleting {} of {}: it is outside the warehouse {}", location, table.name(), warehouse.root());
    }
  }

  /** The snapshots outside the current history from {@code snapshotId} on. */
  private static Set<Long> snapshotsBefore(Table table, long snapshotId) {
    Set<Long> kept = new HashSet<>();
    for (Snapshot ancestor : SnapshotUtil.currentAncestors(table)) {
      kept.add(ancestor.snapshotId());
      if (ancestor.snapshotId() == snapshotId) {
        Set<Long> older = snapshotIds(table);
        older.removeAll(kept);
        return older;
      }
    }
    throw new IllegalStateException(
        "retention snapshot " + snapshotId + " is no longer in the table's current history");
  }

  private static Set<Long> snapshotIds(Table table) {
    Set<Long> ids = new HashSet<>();
    table.snapshots().forEach(snapshot -> ids.add(snapshot.snapshotId()));
    return ids;
  }

  /** Runs steps so that a failing one is logged and reported and the next still runs. */
  private static final class Steps {
    private final String table;
    private final List<String> errors = new ArrayList<>();

    Steps(String table) {
      this.table = table;
    }

    <T> T run(String step, Supplier<T> action, T resultIfFailed) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        String error = step + " failed on " + table + ": " + e;
        LOG.warn(error, e);
        errors.add(error);
        return resultIfFailed;
      }
    }
  }
}
