package io.openwit.catalog.maintenance;

import java.util.List;

/** What one run did to one table (for reports, JSON via Jackson, and metrics). */
public record TableReport(String table, int filesCompacted, int filesWritten, long rowsRewritten,
    int retentionFilesDropped, long retentionRowsDropped, int snapshotsExpired, int orphanFilesRemoved,
    List<String> errors) {

  public TableReport {
    errors = List.copyOf(errors);
  }
}
