package io.openwit.catalog.maintenance;

import java.util.List;

/**
 * What one maintenance run did. {@code ran} is false when another janitor held the lease
 * ({@code leader} names it); {@code interruption} says why a run stopped early.
 */
public record MaintenanceReport(
    boolean ran,
    String trigger,
    String janitor,
    String leader,
    long startedAt,
    long finishedAt,
    List<TableReport> tables,
    String interruption) {

  static MaintenanceReport skipped(String trigger, String janitor, String leader, long at) {
    return new MaintenanceReport(false, trigger, janitor, leader, at, at, List.of(), null);
  }

  static MaintenanceReport ran(
      String trigger, String janitor, long startedAt, long finishedAt, List<TableReport> tables, String interruption) {
    return new MaintenanceReport(true, trigger, janitor, janitor, startedAt, finishedAt, tables, interruption);
  }

  public int errors() {
    return tables.stream().mapToInt(table -> table.errors().size()).sum() + (interruption == null ? 0 : 1);
  }

  public String summary() {
    return tables.size() + " tables; " + tables.stream().mapToInt(TableReport::filesCompacted).sum()
        + " files compacted into " + tables.stream().mapToInt(TableReport::filesWritten).sum() + "; "
        + tables.stream().mapToInt(TableReport::snapshotsExpired).sum() + " snapshots expired; "
        + tables.stream().mapToInt(TableReport::orphanFilesRemoved).sum() + " orphan files removed; "
        + tables.stream().mapToInt(TableReport::retentionFilesDropped).sum() + " files ("
        + tables.stream().mapToLong(TableReport::retentionRowsDropped).sum() + " rows) dropped by retention; "
        + errors() + " errors";
  }
}
