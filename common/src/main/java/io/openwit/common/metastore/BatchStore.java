package io.openwit.common.metastore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The batch tracker table: stage updates as upserts that each set only their own columns (so
 * reports from different processes commute), and the reads behind the batch-monitor API.
 */
public final class BatchStore {
  /** The stages in the order a batch goes through them. */
  public static final List<String> STAGES =
      List.of("created", "wal_written", "ingested", "stored", "indexed", "completed");

  private static final String WAL_WRITTEN =
      "INSERT INTO batch_tracker (batch_id, tenant_id, signal, source, topics, kafka_partition, first_offset,"
          + " last_offset, encoding, batch_size, message_count, first_seen_at, created, created_at, wal_written,"
          + " wal_written_at) VALUES (?, ?, ?, 'receiver', ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, TRUE, ?)"
          + " ON CONFLICT (batch_id) DO UPDATE SET"
          + " retry_count = batch_tracker.retry_count + CASE WHEN batch_tracker.wal_written THEN 1 ELSE 0 END,"
          + " topics = COALESCE(batch_tracker.topics, excluded.topics),"
          + " kafka_partition = COALESCE(batch_tracker.kafka_partition, excluded.kafka_partition),"
          + " first_offset = COALESCE(batch_tracker.first_offset, excluded.first_offset),"
          + " last_offset = COALESCE(batch_tracker.last_offset, excluded.last_offset),"
          + " encoding = COALESCE(batch_tracker.encoding, excluded.encoding),"
          + " batch_size = COALESCE(batch_tracker.batch_size, excluded.batch_size),"
          + " message_count = COALESCE(batch_tracker.message_count, excluded.message_count),"
          + " first_seen_at = CASE WHEN excluded.first_seen_at < batch_tracker.first_seen_at"
          + "   THEN excluded.first_seen_at ELSE batch_tracker.first_seen_at END,"
          + " created = TRUE, created_at = COALESCE(batch_tracker.created_at, excluded.created_at),"
          + " wal_written = TRUE, wal_written_at = COALESCE(batch_tracker.wal_written_at, excluded.wal_written_at)";

  private static final String CONSUMED =
      "INSERT INTO batch_tracker (batch_id, tenant_id, signal, source, topics, kafka_partition, first_offset,"
          + " last_offset, encoding, batch_size, message_count, first_seen_at, created, created_at, wal_written,"
          + " wal_written_at) VALUES (?, ?, ?, 'kafka', ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, TRUE, ?)"
          + " ON CONFLICT (batch_id) DO UPDATE SET"
          + " topics = excluded.topics, kafka_partition = excluded.kafka_partition,"
          + " first_offset = excluded.first_offset, last_offset = excluded.last_offset, encoding = excluded.encoding,"
          + " batch_size = excluded.batch_size, message_count = excluded.message_count,"
          + " first_seen_at = CASE WHEN excluded.first_seen_at < batch_tracker.first_seen_at"
          + "   THEN excluded.first_seen_at ELSE batch_tracker.first_seen_at END,"
          + " created = TRUE, created_at = COALESCE(batch_tracker.created_at, excluded.created_at),"
          + " wal_written = TRUE, wal_written_at = COALESCE(batch_tracker.wal_written_at, excluded.wal_written_at)";

  private static final String INGESTED =
      "INSERT INTO batch_tracker (batch_id, tenant_id, signal, source, first_seen_at, ingested, ingested_at,"
          + " stored, stored_at) VALUES (?, ?, ?, ?, ?, TRUE, ?, ?, ?)"
          + " ON CONFLICT (batch_id) DO UPDATE SET"
          + " ingested = TRUE, ingested_at = COALESCE(batch_tracker.ingested_at, excluded.ingested_at),"
          + " stored = CASE WHEN excluded.stored THEN TRUE ELSE batch_tracker.stored END,"
          + " stored_at = COALESCE(batch_tracker.stored_at, excluded.stored_at)";

  // A batch seen again by the same job (a client's retry, or records read again after a failover
  // from an older checkpoint) takes the later checkpoint: the earlier one may have been aborted.
  private static final String CHECKPOINTED =
      "INSERT INTO batch_tracker (batch_id, tenant_id, signal, source, first_seen_at, flink_job_id, checkpoint_id)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (batch_id) DO UPDATE SET"
          + " checkpoint_id = CASE WHEN batch_tracker.flink_job_id = excluded.flink_job_id"
          + "   AND batch_tracker.checkpoint_id > excluded.checkpoint_id THEN batch_tracker.checkpoint_id"
          + "   ELSE excluded.checkpoint_id END,"
          + " flink_job_id = excluded.flink_job_id"
          + " WHERE batch_tracker.stored = FALSE";

  private static final String FAILED =
      "INSERT INTO batch_tracker (batch_id, tenant_id, signal, source, first_seen_at, error_stage, error_message)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (batch_id) DO UPDATE SET"
          + " error_stage = excluded.error_stage, error_message = excluded.error_message";

  private static final String COMMITTED =
      "INSERT INTO table_commits (tenant_id, signal, flink_job_id, checkpoint_id, snapshot_id, committed_at)"
          + " VALUES (?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (tenant_id, signal, flink_job_id) DO UPDATE SET"
          + " checkpoint_id = CASE WHEN excluded.checkpoint_id > table_commits.checkpoint_id"
          + "   THEN excluded.checkpoint_id ELSE table_commits.checkpoint_id END,"
          + " snapshot_id = CASE WHEN excluded.checkpoint_id >= table_commits.checkpoint_id"
          + "   THEN excluded.snapshot_id ELSE table_commits.snapshot_id END,"
          + " committed_at = CASE WHEN excluded.checkpoint_id >= table_commits.checkpoint_id"
          + "   THEN excluded.committed_at ELSE table_commits.committed_at END";

  private static final String MARK_STORED =
      "UPDATE batch_tracker SET stored = TRUE, stored_at = ?,"
          + " snapshot_id = (SELECT c.snapshot_id FROM table_commits c WHERE c.tenant_id = batch_tracker.tenant_id"
          + "   AND c.signal = batch_tracker.signal AND c.flink_job_id = batch_tracker.flink_job_id)"
          // a batch that failed to decode left no rows: it is not stored, it waits for a replay
          + " WHERE stored = FALSE AND error_stage IS NULL AND checkpoint_id IS NOT NULL"
          + "   AND EXISTS (SELECT 1 FROM table_commits c"
          + "   WHERE c.tenant_id = batch_tracker.tenant_id AND c.signal = batch_tracker.signal"
          + "   AND c.flink_job_id = batch_tracker.flink_job_id AND c.checkpoint_id >= batch_tracker.checkpoint_id)";

  // Only receiver batches have one WAL offset each; a batch already stored (from a client's retry
  // written at another offset) is not lost.
  private static final String WAL_LOST =
      "UPDATE batch_tracker SET lost_at = COALESCE(lost_at, ?)"
          + " WHERE source = 'receiver' AND topics = ? AND kafka_partition = ? AND first_offset >= ?"
          + " AND first_offset <= ? AND stored = FALSE";

  /** A lost batch: its records deleted unread, and not stored from elsewhere. */
  private static final String LOST = "(lost_at IS NOT NULL AND stored = FALSE)";
  /** A pending batch still waits for a stage; a lost one waits for nothing. */
  private static final String PENDING = "(completed = FALSE AND NOT " + LOST + ")";

  private static final String COLUMNS =
      "batch_id, tenant_id, signal, source, topics, kafka_partition, first_offset, last_offset, encoding,"
          + " batch_size, message_count, first_seen_at, created_at, wal_written_at, ingested_at, stored_at,"
          + " indexed_at, completed_at, created, wal_written, ingested, stored, indexed, completed,"
          + " flink_job_id, checkpoint_id, snapshot_id, error_stage, error_message, retry_count, lost_at";

  private final Metastore metastore;

  BatchStore(Metastore metastore) {
    this.metastore = metastore;
  }

  /**
   * Writes {@code events} in one transaction, so a failed write leaves nothing half applied and can
   * be retried whole. Rows are locked in one order (kind, then batch id), which keeps PostgreSQL
   * deadlocks between writers rare; one that happens fails the write, which the caller retries.
   * Lost offset ranges apply last, so they find the batches written to those offsets in the same
   * write.
   */
  public void apply(List<BatchEvent> events) {
    List<Update> updates = new ArrayList<>();
    List<BatchEvent.WalLost> lost = new ArrayList<>();
    for (BatchEvent event : events) {
      if (event instanceof BatchEvent.WalWritten e) {
        updates.add(new Update(WAL_WRITTEN, e.batchId(), e.tenant(), e.signal(), e.topic(), e.partition(), e.offset(),
            e.offset(), e.encoding(), e.bytes(), e.items(), e.createdAt(), e.createdAt(), e.writtenAt()));
      } else if (event instanceof BatchEvent.Consumed e) {
        updates.add(new Update(CONSUMED, e.batchId(), e.tenant(), e.signal(), e.topic(), e.partition(),
            e.firstOffset(), e.lastOffset(), e.encoding(), e.bytes(), e.records(), e.inKafkaSince(),
            e.inKafkaSince(), e.inKafkaSince()));
      } else if (event instanceof BatchEvent.Ingested e) {
        // a batch that decodes to no rows has nothing left to store
        boolean empty = e.rows() == 0;
        updates.add(new Update(INGESTED, e.batchId(), e.tenant(), e.signal(), e.source(), e.at(), e.at(), empty,
            empty ? e.at() : null));
      } else if (event instanceof BatchEvent.Checkpointed e) {
        for (BatchEvent.Checkpointed.Member member : e.batches()) {
          updates.add(new Update(CHECKPOINTED, member.batchId(), member.tenant(), member.signal(), member.source(),
              e.at(), e.jobId(), e.checkpointId()));
        }
      } else if (event instanceof BatchEvent.Failed e) {
        updates.add(new Update(FAILED, e.batchId(), e.tenant(), e.signal(), e.source(), e.at(),
            truncate(e.stage(), 32), truncate(e.message(), 2000)));
      } else if (event instanceof BatchEvent.WalLost e) {
        lost.add(e);
      }
    }
    updates.sort(Comparator.comparing(Update::batchId, Comparator.nullsFirst(Comparator.naturalOrder())));
    metastore.inTransaction(connection -> {
      for (String sql : List.of(WAL_WRITTEN, CONSUMED, INGESTED, CHECKPOINTED, FAILED)) {
        List<Update> ofKind = updates.stream().filter(update -> update.sql().equals(sql)).toList();
        if (ofKind.isEmpty()) {
          continue;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
          for (Update update : ofKind) {
            add(statement, update.parameters());
          }
          statement.executeBatch();
        }
      }
      for (BatchEvent.WalLost range : lost) {
        Metastore.execute(connection, WAL_LOST, range.at(), range.topic(), range.partition(), range.firstOffset(),
            range.lastOffset());
      }
      return null;
    });
  }

  /** One upsert: its statement and parameters, the batch id first. */
  private record Update(String sql, Object... parameters) {
    String batchId() {
      return (String) parameters[0];
    }
  }

  /**
   * Records that a snapshot of {@code <tenant>.<signal table>} committed the rows of checkpoint
   * {@code checkpointId} of Flink job {@code jobId} (and every earlier one), then marks the batches
   * it proves stored.
   */
  public int recordCommit(String tenant, String signal, String jobId, long checkpointId, long snapshotId, long now) {
    return metastore.inTransaction(connection -> {
      Metastore.execute(connection, COMMITTED, tenant, signal, jobId, checkpointId, snapshotId, now);
      return Metastore.execute(connection, MARK_STORED, now);
    });
  }

  /** Marks stored what earlier commits prove stored, for checkpoint reports that arrived after the commit. */
  public int markStored(long now) {
    return metastore.inTransaction(connection -> Metastore.execute(connection, MARK_STORED, now));
  }

  /**
   * The index builder's part: every stored batch of {@code <tenant>.<signal>} stored before
   * {@code storedBefore} is in the table snapshot the index now fully covers.
   */
  public int markIndexed(String tenant, String signal, long storedBefore, long now) {
    return metastore.inTransaction(connection -> Metastore.execute(connection,
        "UPDATE batch_tracker SET indexed = TRUE, indexed_at = ?"
            + " WHERE tenant_id = ? AND signal = ? AND stored = TRUE AND indexed = FALSE AND stored_at < ?",
        now, tenant, signal, storedBefore));
  }

  /** The janitor's part: a stored batch is complete. */
  public int completeStored(long now) {
    return metastore.inTransaction(connection -> Metastore.execute(connection,
        "UPDATE batch_tracker SET completed = TRUE, completed_at = ?"
            + " WHERE completed = FALSE AND stored = TRUE AND error_stage IS NULL", now));
  }

  /** Forgets completed batches older than {@code before}. */
  public int forgetCompleted(long before) {
    return metastore.inTransaction(connection -> Metastore.execute(connection,
        "DELETE FROM batch_tracker WHERE completed = TRUE AND completed_at < ?", before));
  }

  /** A replay was started: counted as a retry, and its old error cleared. */
  public void markReplayed(String batchId) {
    metastore.inTransaction(connection -> Metastore.execute(connection,
        "UPDATE batch_tracker SET retry_count = retry_count + 1, error_stage = NULL, error_message = NULL,"
            + " flink_job_id = NULL, checkpoint_id = NULL WHERE batch_id = ?", batchId));
  }

  public Optional<BatchRecord> find(String batchId) {
    return metastore.query("SELECT " + COLUMNS + " FROM batch_tracker WHERE batch_id = ?",
        rows -> rows.next() ? Optional.of(record(rows)) : Optional.empty(), batchId);
  }

  /**
   * Batches by {@code status}: {@code pending} (not completed, not lost), {@code failed} (an error
   * recorded), {@code lost} (WAL records deleted unread), {@code all}, or a stage name (that stage is the furthest reached); only those first seen at or
   * before {@code seenBefore}, oldest first.
   */
  public List<BatchRecord> list(String status, String tenant, long seenBefore, int limit) {
    String condition = switch (status.toLowerCase(Locale.ROOT)) {
      case "all" -> "1 = 1";
      case "pending" -> PENDING;
      case "failed" -> "error_stage IS NOT NULL";
      case "lost" -> LOST;
      default -> furthestStage(status);
    };
    String sql = "SELECT " + COLUMNS + " FROM batch_tracker WHERE " + condition + " AND first_seen_at <= ?"
        + (tenant == null ? "" : " AND tenant_id = ?") + " ORDER BY first_seen_at, batch_id LIMIT " + limit;
    Object[] parameters = tenant == null ? new Object[] {seenBefore} : new Object[] {seenBefore, tenant};
    return metastore.query(sql, rows -> {
      List<BatchRecord> records = new ArrayList<>();
      while (rows.next()) {
        records.add(record(rows));
      }
      return records;
    }, parameters);
  }

  /** How many batches first seen at or before {@code seenBefore} are pending. */
  public long countPending(long seenBefore) {
    return metastore.query("SELECT COUNT(*) FROM batch_tracker WHERE " + PENDING + " AND first_seen_at <= ?",
        rows -> rows.next() ? rows.getLong(1) : 0L, seenBefore);
  }

  private static String furthestStage(String stage) {
    int index = STAGES.indexOf(stage.toLowerCase(Locale.ROOT));
    if (index < 0) {
      throw new IllegalArgumentException("unknown batch status '" + stage
          + "': use pending, failed, lost, all or a stage (" + String.join(", ", STAGES) + ")");
    }
    StringBuilder condition = new StringBuilder(STAGES.get(index) + " = TRUE");
    for (String later : STAGES.subList(index + 1, STAGES.size())) {
      condition.append(" AND ").append(later).append(" = FALSE");
    }
    return condition.toString();
  }

  /** How many batches reached each stage, per tenant, and the flow over the last {@code windowMs}. */
  public Status status(long now, long windowMs) {
    StringBuilder sql = new StringBuilder("SELECT tenant_id, COUNT(*)");
    for (String stage : STAGES) {
      sql.append(", SUM(CASE WHEN ").append(stage).append(" THEN 1 ELSE 0 END)");
    }
    sql.append(", SUM(CASE WHEN error_stage IS NOT NULL THEN 1 ELSE 0 END)")
        .append(", SUM(CASE WHEN wal_written_at >= ? THEN 1 ELSE 0 END)")
        .append(", SUM(CASE WHEN wal_written_at >= ? THEN COALESCE(message_count, 0) ELSE 0 END)")
        .append(", SUM(CASE WHEN wal_written_at >= ? THEN COALESCE(batch_size, 0) ELSE 0 END)")
        .append(", SUM(CASE WHEN stored_at >= ? THEN 1 ELSE 0 END)")
        .append(", SUM(CASE WHEN stored_at >= ? THEN COALESCE(message_count, 0) ELSE 0 END)")
        .append(", MIN(CASE WHEN ").append(PENDING).append(" THEN first_seen_at END)")
        .append(", SUM(CASE WHEN ").append(LOST).append(" THEN 1 ELSE 0 END)")
        .append(" FROM batch_tracker GROUP BY tenant_id ORDER BY tenant_id");
    long since = now - windowMs;
    return metastore.query(sql.toString(), rows -> {
      Map<String, Counts> tenants = new LinkedHashMap<>();
      while (rows.next()) {
        Map<String, Long> stages = new LinkedHashMap<>();
        for (int i = 0; i < STAGES.size(); i++) {
          stages.put(STAGES.get(i), rows.getLong(3 + i));
        }
        int next = 3 + STAGES.size();
        long oldest = rows.getLong(next + 6);
        Long oldestPending = rows.wasNull() ? null : oldest;
        long lost = rows.getLong(next + 7);
        tenants.put(rows.getString(1), new Counts(rows.getLong(2), stages,
            rows.getLong(2) - stages.get("completed") - lost, rows.getLong(next), lost, new Flow(rows.getLong(next + 1), rows.getLong(next + 2), rows.getLong(next + 3),
                rows.getLong(next + 4), rows.getLong(next + 5)), oldestPending));
      }
      return new Status(windowMs, tenants);
    }, since, since, since, since, since);
  }

  /** Batch counts of one tenant; {@code flow} covers the status window. */
  public record Counts(
      long total, Map<String, Long> stages, long pending, long failed, long lost, Flow flow, Long oldestPendingSeenAt) {}

  /** Batches, items and bytes written to Kafka, and batches and items stored, within the window. */
  public record Flow(long walBatches, long walItems, long walBytes, long storedBatches, long storedItems) {}

  public record Status(long windowMs, Map<String, Counts> tenants) {}

  private static BatchRecord record(ResultSet rows) throws SQLException {
    return new BatchRecord(rows.getString("batch_id"), rows.getString("tenant_id"), rows.getString("signal"),
        rows.getString("source"), rows.getString("topics"), integer(rows, "kafka_partition"),
        number(rows, "first_offset"), number(rows, "last_offset"), rows.getString("encoding"),
        number(rows, "batch_size"), number(rows, "message_count"), rows.getLong("first_seen_at"),
        number(rows, "created_at"), number(rows, "wal_written_at"), number(rows, "ingested_at"),
        number(rows, "stored_at"), number(rows, "indexed_at"), number(rows, "completed_at"),
        furthest(rows), rows.getString("flink_job_id"), number(rows, "checkpoint_id"), number(rows, "snapshot_id"),
        rows.getString("error_stage"), rows.getString("error_message"), rows.getInt("retry_count"),
        rows.getBoolean("stored") ? null : number(rows, "lost_at"));
  }

  private static String furthest(ResultSet rows) throws SQLException {
    String reached = "seen";
    for (String stage : STAGES) {
      if (rows.getBoolean(stage)) {
        reached = stage;
      }
    }
    return reached;
  }

  private static Long number(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  private static Integer integer(ResultSet rows, String column) throws SQLException {
    int value = rows.getInt(column);
    return rows.wasNull() ? null : value;
  }

  private static void add(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      Object value = values[i];
      if (value == null) {
        statement.setNull(i + 1, Types.BIGINT);
      } else {
        statement.setObject(i + 1, value);
      }
    }
    statement.addBatch();
  }

  private static String truncate(String text, int length) {
    return text == null || text.length() <= length ? text : text.substring(0, length);
  }
}
