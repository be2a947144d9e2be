package io.openwit.index.job;

import java.util.Arrays;

/**
 * What the planner asks the builder to do for one table: index {@code paths} (new data files, with
 * their formats, row counts and sizes) and forget {@code removed} (files that left the table). A Flink
 * POJO, so it travels without Kryo.
 */
public class IndexWork {
  public String tenant;
  public String table;
  public String[] paths;
  public String[] formats;
  public long[] recordCounts;
  public long[] sizes;
  public String[] removed;

  public IndexWork() {}

  IndexWork(String tenant, String table, String[] paths, String[] formats, long[] recordCounts, long[] sizes,
      String[] removed) {
    this.tenant = tenant;
    this.table = table;
    this.paths = paths;
    this.formats = formats;
    this.recordCounts = recordCounts;
    this.sizes = sizes;
    this.removed = removed;
  }

  String tableKey() {
    return tenant + "." + table;
  }

  @Override
  public String toString() {
    return tableKey() + ": index " + paths.length + " files, forget " + removed.length
        + (removed.length > 0 ? " " + Arrays.toString(removed) : "");
  }
}
