package io.openwit.index.job;

import java.util.Arrays;

/**
 * What the planner asks the builder to do for one table: index {@code paths} (new data files, with
 * their formats, row counts and sizes), {@code hidden} from searches when they replace files still
 * indexed; or, with {@code settle}, forget {@code removed} (files that left the table) and show the
 * hidden files in their place. A Flink POJO, so it travels without Kryo.
 */
public class IndexWork {
  public String tenant;
  public String table;
  public String[] paths;
  public String[] formats;
  public long[] recordCounts;
  public long[] sizes;
  public String[] removed;
  public boolean hidden;
  public boolean settle;

  public IndexWork() {}

  /** Work that indexes {@code paths}, {@code hidden} or not. */
  static IndexWork index(String tenant, String table, String[] paths, String[] formats, long[] recordCounts,
      long[] sizes, boolean hidden) {
    IndexWork work = new IndexWork(tenant, table, paths, formats, recordCounts, sizes, new String[0]);
    work.hidden = hidden;
    return work;
  }

  /** Work that forgets {@code removed} and shows the table's hidden files, in one step. */
  static IndexWork settle(String tenant, String table, String[] removed) {
    IndexWork work = new IndexWork(tenant, table, new String[0], new String[0], new long[0], new long[0], removed);
    work.settle = true;
    return work;
  }

  private IndexWork(String tenant, String table, String[] paths, String[] formats, long[] recordCounts, long[] sizes,
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
    return settle ? tableKey() + ": settle, forget " + removed.length + " " + Arrays.toString(removed)
        : tableKey() + ": index " + paths.length + (hidden ? " files, hidden until settled" : " files");
  }
}
