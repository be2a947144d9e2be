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
 *
 * <p>Files that replace others (compaction) are registered hidden while the files they replace are
 * still indexed; {@link #settle} then forgets the replaced files and shows their replacements in one
 * transaction, so a search counts every row once before, during and after a rewrite. Segments being
 * built are listed as in flight before their first file is written, for orphan removal to spare.
 * The registry also keeps which attribute keys a table indexes as fields of their own, and which
 * data files the index job found it cannot index, so they are not planned again.
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

  /**
   * A segment with its data files: {@code dataFiles} are visible (what a search may return rows of),
   * {@code pendingFiles} wait for the files they replace to be settled (kept by merges, never searched).
   */
  public record LiveSegment(Segment segment, List<String> dataFiles, List<String> pendingFiles) {
    public LiveSegment {
      dataFiles = List.copyOf(dataFiles);
      pendingFiles = List.copyOf(pendingFiles);
    }
  }

  /** Thrown when a data file a new segment covers is already indexed by another segment. */
  public static final class AlreadyIndexedException extends RuntimeException {
    AlreadyIndexedException(String dataFile) {
      super("data file " + dataFile + " is already indexed");
    }
  }

  /**
   * Lists segment {@code segmentId} of the table as being built into {@code location} from
   * {@code startedAtMillis}, until it is registered or abandoned.
   */
  public void startBuilding(String segmentId, String tenant, String table, String location, long startedAtMillis) {
    metastore.inTransaction(connection -> Metastore.execute(connection,
        "INSERT INTO index_in_flight (segment_id, tenant, table_name, location, started_at) VALUES (?, ?, ?, ?, ?)",
        segmentId, tenant, table, location, startedAtMillis));
  }

  /** Takes a segment that will not be registered (failed, or lost the race) off the in-flight list. */
  public void abandon(String segmentId) {
    metastore.inTransaction(connection ->
        Metastore.execute(connection, "DELETE FROM index_in_flight WHERE segment_id = ?", segmentId));
  }

  /**
   * The ids of every registered segment and of every segment in flight since {@code inFlightSince}
   * (epoch milliseconds; older in-flight entries are builds that died): the segment folders that
   * storage cleanup must leave alone.
   */
  public Set<String> segmentIdsInUse(long inFlightSince) {
    return metastore.inTransaction(connection -> {
      Set<String> ids = new HashSet<>();
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT segment_id FROM index_segments UNION SELECT segment_id FROM index_in_flight WHERE started_at >= ?")) {
        Metastore.bind(statement, inFlightSince);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            ids.add(rows.getString(1));
          }
        }
      }
      return ids;
    });
  }

  /**
   * Registers {@code segment} as the index of {@code files}, all or nothing; with {@code visible}
   * false the files stay out of searches until {@link #settle}.
   */
  public void register(Segment segment, Collection<IndexedFile> files, boolean visible) {
    metastore.inTransaction(connection -> {
      for (IndexedFile file : files) {
        if (isIndexed(connection, file.path())) {
          throw new AlreadyIndexedException(file.path());
        }
      }
      insertSegment(connection, segment);
      Metastore.execute(connection, "DELETE FROM index_in_flight WHERE segment_id = ?", segment.id());
      for (IndexedFile file : files) {
        Metastore.execute(connection, "INSERT INTO index_files (data_file, segment_id, tenant, table_name, record_count,"
            + " visible) VALUES (?, ?, ?, ?, ?, ?)",
            file.path(), segment.id(), segment.tenant(), segment.table(), file.recordCount(), visible ? 1 : 0);
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
      Metastore.execute(connection, "DELETE FROM index_in_flight WHERE segment_id = ?", replacement.id());
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

  /** Data files of the table indexed but hidden until {@link #settle}. */
  public Set<String> pendingFiles(String tenant, String table) {
    return metastore.query("SELECT data_file FROM index_files WHERE tenant = ? AND table_name = ? AND visible = 0",
        rows -> {
          Set<String> files = new HashSet<>();
          while (rows.next()) {
            files.add(rows.getString(1));
          }
          return files;
        }, tenant, table);
  }

  /**
   * In one transaction, forgets {@code dataFiles}, which left the table (retention, compaction),
   * and shows the table's pending files, which replace them; returns the segments left indexing no
   * file, which are removed from the registry too (their storage is the caller's to delete).
   */
  public List<Segment> settle(String tenant, String table, Collection<String> dataFiles) {
    return metastore.inTransaction(connection -> {
      Metastore.execute(connection, "UPDATE index_files SET visible = 1 WHERE tenant = ? AND table_name = ? AND visible = 0",
          tenant, table);
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
      Map<String, List<String>> visible = new LinkedHashMap<>();
      Map<String, List<String>> pending = new LinkedHashMap<>();
      segments.forEach(segment -> {
        visible.put(segment.id(), new ArrayList<>());
        pending.put(segment.id(), new ArrayList<>());
      });
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT segment_id, data_file, visible FROM index_files WHERE tenant = ? AND table_name = ?")) {
        Metastore.bind(statement, tenant, table);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            List<String> ofSegment = (rows.getInt(3) == 1 ? visible : pending).get(rows.getString(1));
            if (ofSegment != null) {
              ofSegment.add(rows.getString(2));
            }
          }
        }
      }
      List<LiveSegment> live = new ArrayList<>();
      for (Segment segment : segments) {
        live.add(new LiveSegment(segment, visible.get(segment.id()), pending.get(segment.id())));
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

  /** The longest reason kept for an unindexable file (its column's width). */
  private static final int MAX_REASON_LENGTH = 2000;

  /**
   * Records that the table's {@code dataFile} cannot be indexed, and why, so the planner leaves it
   * out; recording a file again keeps the first record.
   */
  public void markUnindexable(String tenant, String table, String dataFile, String reason, long atMillis) {
    String kept = reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) : reason;
    metastore.inTransaction(connection -> {
      try (PreparedStatement statement =
          connection.prepareStatement("SELECT 1 FROM index_unindexable_files WHERE data_file = ?")) {
        Metastore.bind(statement, dataFile);
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            return null;
          }
        }
      }
      Metastore.execute(connection, "INSERT INTO index_unindexable_files (data_file, tenant, table_name, reason,"
          + " marked_at) VALUES (?, ?, ?, ?, ?)", dataFile, tenant, table, kept, atMillis);
      return null;
    });
  }

  /** Data files of the table recorded as unindexable. */
  public Set<String> unindexableFiles(String tenant, String table) {
    return metastore.query("SELECT data_file FROM index_unindexable_files WHERE tenant = ? AND table_name = ?", rows -> {
      Set<String> files = new HashSet<>();
      while (rows.next()) {
        files.add(rows.getString(1));
      }
      return files;
    }, tenant, table);
  }

  /** Forgets that {@code dataFiles} were unindexable: they left the table, or were repaired. */
  public void forgetUnindexable(String tenant, String table, Collection<String> dataFiles) {
    metastore.inTransaction(connection -> {
      for (String file : dataFiles) {
        Metastore.execute(connection,
            "DELETE FROM index_unindexable_files WHERE data_file = ? AND tenant = ? AND table_name = ?", file, tenant, table);
      }
      return null;
    });
  }

  /** The attribute fields ({@code attributes.<key>}, ...) the table indexes as fields of their own. */
  public Set<String> attributeFields(String tenant, String table) {
    return metastore.inTransaction(connection -> attributeFields(connection, tenant, table));
  }

  /**
   * Gives {@code wanted} fields of their own to the table while it has fewer than {@code max},
   * first come first served (in {@code wanted}'s order); returns every field the table now owns.
   */
  public Set<String> claimAttributeFields(String tenant, String table, Collection<String> wanted, int max) {
    return metastore.inTransaction(connection -> {
      Set<String> owned = attributeFields(connection, tenant, table);
      for (String field : wanted) {
        if (owned.size() >= max) {
          break;
        }
        if (owned.add(field)) {
          Metastore.execute(connection,
              "INSERT INTO index_attribute_fields (tenant, table_name, field_name) VALUES (?, ?, ?)", tenant, table, field);
        }
      }
      return owned;
    });
  }

  private static Set<String> attributeFields(Connection connection, String tenant, String table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT field_name FROM index_attribute_fields WHERE tenant = ? AND table_name = ?")) {
      Metastore.bind(statement, tenant, table);
      try (ResultSet rows = statement.executeQuery()) {
        Set<String> fields = new HashSet<>();
        while (rows.next()) {
          fields.add(rows.getString(1));
        }
        return fields;
      }
    }
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
