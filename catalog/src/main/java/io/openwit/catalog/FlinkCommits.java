package io.openwit.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The marks Flink's Iceberg committer leaves in a snapshot's summary: the catalog reads them to
 * mark batches stored, and maintenance keeps them. After a restore the committer walks the
 * table's history back to the newest snapshot of its job to learn which checkpoint it last
 * committed; maintenance must not take that knowledge away, or a restored job commits a checkpoint
 * a second time.
 */
public final class FlinkCommits {
  public static final String JOB_ID = "flink.job-id";
  public static final String OPERATOR_ID = "flink.operator-id";
  public static final String MAX_COMMITTED_CHECKPOINT_ID = "flink.max-committed-checkpoint-id";
  /** Set on maintenance's own snapshots, which repeat the marks but are no sign of a running pipeline. */
  static final String MAINTENANCE = "openwit.maintenance";
  private static final List<String> MARKS = List.of(JOB_ID, OPERATOR_ID, MAX_COMMITTED_CHECKPOINT_ID);

  private FlinkCommits() {}

  /** The newest snapshot in the table's current history that carries Flink's marks. */
  public static Optional<Snapshot> newest(Table table) {
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (snapshot.summary().containsKey(MAX_COMMITTED_CHECKPOINT_ID)) {
        return Optional.of(snapshot);
      }
    }
    return Optional.empty();
  }

  /** Whether Flink ever committed to the table, as far as its current history tells. */
  public static boolean everCommitted(Table table) {
    return newest(table).isPresent();
  }

  /** When the pipeline itself (not maintenance repeating its marks) last committed to the table. */
  public static Optional<Long> lastPipelineCommitMillis(Table table) {
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      Map<String, String> summary = snapshot.summary();
      if (summary.containsKey(MAX_COMMITTED_CHECKPOINT_ID) && !summary.containsKey(MAINTENANCE)) {
        return Optional.of(snapshot.timestampMillis());
      }
    }
    return Optional.empty();
  }

  /**
   * Repeats the newest Flink marks in {@code update}'s snapshot, so they stay in the history when
   * the snapshots before it are expired (retention) or when it is the newest (compaction).
   */
  public static <T> void carryOver(Table table, SnapshotUpdate<T> update) {
    update.set(MAINTENANCE, "true");
    newest(table).ifPresent(snapshot -> {
      Map<String, String> summary = snapshot.summary();
      for (String mark : MARKS) {
        if (summary.containsKey(mark)) {
          update.set(mark, summary.get(mark));
        }
      }
    });
  }
}
