package io.openwit.common.metastore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The index registry: which Lucene segments each tenant table has, where they are stored, and which
 * data files they index. A data file belongs to at most one segment, so registering a segment that
 * covers an already indexed file fails as a whole; that is what keeps indexing exactly-once across
 * restarts and concurrent builders.
 */
public final class IndexRegistry {
  private static final String SEGMENT_COLUMNS =
      "segment_id, tenant, table_name, location, files, min_time, max_time, row_count, size_bytes, created_at";

  private final Metastore metastore;

  IndexRegistry(Metastore metastore) {
    this.metastore = metastore;
  }

  /**
   * One stored segment: {@code files} are its Lucene file names under {@code location}; times are
   * the epoch microseconds of its rows' earliest and latest time.
   */
  public record Segment(
      String id, String tenant, String table, String location, List<String> files, long minTime, long maxTime,
      long rowCount, long sizeBytes, long createdAt) {
    public Segment {
      files = List.copyOf(files);
    }
  }

  /** A data file a segment indexes, with its row count. */
  public record IndexedFile(String path, long recordCount) {}

  /** A segment with the data files of it that are still live (what a search may return rows of). */
  public record LiveSegment(Segment segment, List<String> dataFiles) {}

  /** Thrown when a data file a new segment covers is already indexed by another segment. */
  public static final class AlreadyIndexedException extends RuntimeException {
    AlreadyIndexedException(String dataFile) {
      super("data file " + dataFile + " is already indexed");
    }
  }

  /** Registers {@code segment} as the index of {@code files}, all or nothing. */
  public void register(Segment segment, Collection<IndexedFile> files) {
    metastore.inTransaction(connection -> {
      for (IndexedFile file : files) {
        if (isIndexed(connection, file.path())) {
          throw new AlreadyIndexedException(file.path());
        }
      }
      insertSegment(connection, segment);
      for (IndexedFile file : files) {
        Metastore.execute(connection,
            "INSERT INTO index_files (data_file, segment_id, tenant, table_name, record_count) VALUES (?, ?, ?, ?, ?)",
            file.path(), segment.id(), segment.tenant(), segment.table(), file.recordCount());
      }
      return null;
    });
  }

  /**
   * Replaces {@code merged} by {@code replacement} in one step: the files they indexed now point at
   * the replacement, and the old segments are gone from the registry (their storage is the
   * caller's to delete).
   */
  public void replace(Collection<String> merged, Segment replacement) {
    metastore.inTransaction(connection -> {
      insertSegment(connection, replacement);
      for (String id : merged) {
        Metastore.execute(connection, "UPDATE index_files SET segment_id = ? WHERE segment_id = ?", replacement.id(), id);
        Metastore.execute(connection, "DELETE FROM index_segments WHERE segment_id = ?", id);
      }
      return null;
    });
  }

  /** Data files of the table that some segment indexes. */
  public Set<String> indexedFiles(String tenant, String table) {
    return metastore.query("SELECT data_file FROM index_files WHERE tenant = ? AND table_name = ?", rows -> {
      Set<String> files = new HashSet<>();
      while (rows.next()) {
        files.add(rows.getString(1));
      }
      return files;
    }, tenant, table);
  }

  /**
   * Forgets data files that left the table (retention, compaction); returns the segments left
   * indexing no live file, which are removed from the registry too (their storage is the caller's
   * to delete).
   */
  public List<Segment> forgetFiles(String tenant, String table, Collection<String> dataFiles) {
    return metastore.inTransaction(connection -> {
      Set<String> touched = new HashSet<>();
      for (String file : dataFiles) {
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT segment_id FROM index_files WHERE data_file = ? AND tenant = ? AND table_name = ?")) {
          Metastore.bind(statement, file, tenant, table);
          try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              touched.add(rows.getString(1));
            }
          }
        }
        Metastore.execute(connection, "DELETE FROM index_files WHERE data_file = ? AND tenant = ? AND table_name = ?",
            file, tenant, table);
      }
      List<Segment> emptied = new ArrayList<>();
      for (String id : touched) {
        boolean empty;
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT COUNT(*) FROM index_files WHERE segment_id = ?")) {
          Metastore.bind(statement, id);
          try (ResultSet rows = statement.executeQuery()) {
            empty = rows.next() && rows.getLong(1) == 0;
          }
        }
        if (empty) {
          emptied.addAll(segments(connection, "WHERE segment_id = ?", id));
          Metastore.execute(connection, "DELETE FROM index_segments WHERE segment_id = ?", id);
        }
      }
      return emptied;
    });
  }

  /**
   * The table's segments holding rows between {@code fromMicros} and {@code toMicros} (inclusive),
   * each with its live data files.
   */
  public List<LiveSegment> liveSegments(String tenant, String table, long fromMicros, long toMicros) {
    return metastore.inTransaction(connection -> {
      List<Segment> segments = segments(connection,
          "WHERE tenant = ? AND table_name = ? AND max_time >= ? AND min_time <= ? ORDER BY max_time DESC",
          tenant, table, fromMicros, toMicros);
      Map<String, List<String>> files = new LinkedHashMap<>();
      segments.forEach(segment -> files.put(segment.id(), new ArrayList<>()));
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT segment_id, data_file FROM index_files WHERE tenant = ? AND table_name = ?")) {
        Metastore.bind(statement, tenant, table);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            List<String> ofSegment = files.get(rows.getString(1));
            if (ofSegment != null) {
              ofSegment.add(rows.getString(2));
            }
          }
        }
      }
      List<LiveSegment> live = new ArrayList<>();
      for (Segment segment : segments) {
        live.add(new LiveSegment(segment, List.copyOf(files.get(segment.id()))));
      }
      return live;
    });
  }

  /** The table's segments of fewer than {@code maxRows} rows, oldest first. */
  public List<Segment> smallSegments(String tenant, String table, long maxRows) {
    return metastore.inTransaction(connection -> segments(connection,
        "WHERE tenant = ? AND table_name = ? AND row_count < ? ORDER BY created_at, segment_id",
        tenant, table, maxRows));
  }

  /** Every segment of every table, for status pages and storage cleanup. */
  public List<Segment> allSegments() {
    return metastore.inTransaction(connection -> segments(connection, "ORDER BY tenant, table_name, created_at"));
  }

  private static boolean isIndexed(Connection connection, String dataFile) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM index_files WHERE data_file = ?")) {
      Metastore.bind(statement, dataFile);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static void insertSegment(Connection connection, Segment segment) throws SQLException {
    Metastore.execute(connection, "INSERT INTO index_segments (" + SEGMENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        segment.id(), segment.tenant(), segment.table(), segment.location(), String.join(",", segment.files()),
        segment.minTime(), segment.maxTime(), segment.rowCount(), segment.sizeBytes(), segment.createdAt());
  }

  private static List<Segment> segments(Connection connection, String where, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT " + SEGMENT_COLUMNS + " FROM index_segments " + where)) {
      Metastore.bind(statement, parameters);
      try (ResultSet rows = statement.executeQuery()) {
        List<Segment> segments = new ArrayList<>();
        while (rows.next()) {
          String files = rows.getString(5);
          segments.add(new Segment(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
              files.isEmpty() ? List.of() : List.of(files.split(",")), rows.getLong(6), rows.getLong(7),
              rows.getLong(8), rows.getLong(9), rows.getLong(10)));
        }
        return segments;
      }
    }
  }
}
