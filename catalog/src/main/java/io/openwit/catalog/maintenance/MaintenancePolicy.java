package io.openwit.catalog.maintenance;

/**
 * What maintenance does to one table; all ages in ms. retentionDays 0 = keep forever.
 *
 * @param targetFileSizeBytes the size compaction writes; files under 3/4 of it count as small
 * @param minInputFiles how many small files a partition needs before it is compacted
 * @param snapshotMaxAgeMs snapshots older than this are expired, unless among the newest
 *     {@code minSnapshotsToKeep} of the current history
 * @param minSnapshotsToKeep how many of the newest snapshots survive expiration whatever their age
 * @param orphanMinAgeMs files no snapshot references are deleted only when older than this, so
 *     files a writer has written but not yet committed survive
 * @param retentionDays rows older than this many whole UTC days are dropped
 */
public record MaintenancePolicy(long targetFileSizeBytes, int minInputFiles, long snapshotMaxAgeMs,
    int minSnapshotsToKeep, long orphanMinAgeMs, int retentionDays) {

  public MaintenancePolicy {
    require(targetFileSizeBytes > 0, "targetFileSizeBytes must be positive");
    require(minInputFiles >= 1, "minInputFiles must be at least 1");
    require(snapshotMaxAgeMs >= 0, "snapshotMaxAgeMs must not be negative");
    require(minSnapshotsToKeep >= 1, "minSnapshotsToKeep must be at least 1 (the current snapshot)");
    require(orphanMinAgeMs >= 0, "orphanMinAgeMs must not be negative");
    require(retentionDays >= 0, "retentionDays must not be negative");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
