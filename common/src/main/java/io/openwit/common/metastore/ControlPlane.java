package io.openwit.common.metastore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The control plane's tables: the processes that heartbeat ({@code cluster_nodes}) and the
 * leases that keep singleton work to one holder ({@code leases}). Times are the writers' clocks in
 * epoch milliseconds, so processes' clocks should agree to well within a lease.
 */
public final class ControlPlane {
  private final Metastore metastore;

  ControlPlane(Metastore metastore) {
    this.metastore = metastore;
  }

  /** A process as the registry shows it; {@code health} is up, not_ready, down or stopped. */
  public record Node(
      String nodeId, String role, String address, String version, long startedAt, long lastHeartbeat,
      String health) {}

  public void heartbeat(String nodeId, String role, String address, String version, long startedAt, boolean ready,
      long now) {
    metastore.inTransaction(connection -> Metastore.execute(connection,
        "INSERT INTO cluster_nodes (node_id, role, address, version, started_at, last_heartbeat, state, ready)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'running', ?)"
            + " ON CONFLICT (node_id) DO UPDATE SET role = excluded.role, address = excluded.address,"
            + " version = excluded.version, started_at = excluded.started_at,"
            + " last_heartbeat = excluded.last_heartbeat, state = 'running', ready = excluded.ready",
        nodeId, role, address, version, startedAt, now, ready));
  }

  /** A clean stop: shown as stopped rather than down. */
  public void stopped(String nodeId, long now) {
    metastore.inTransaction(connection -> Metastore.execute(connection,
        "UPDATE cluster_nodes SET state = 'stopped', ready = FALSE, last_heartbeat = ? WHERE node_id = ?",
        now, nodeId));
  }

  /** Every node seen; one silent for {@code downAfterMs} is down. */
  public List<Node> nodes(long now, long downAfterMs) {
    return metastore.query(
        "SELECT node_id, role, address, version, started_at, last_heartbeat, state, ready FROM cluster_nodes"
            + " ORDER BY role, node_id",
        rows -> {
          List<Node> nodes = new ArrayList<>();
          while (rows.next()) {
            long lastHeartbeat = rows.getLong(6);
            String health = "stopped".equals(rows.getString(7)) ? "stopped"
                : now - lastHeartbeat > downAfterMs ? "down"
                : rows.getBoolean(8) ? "up" : "not_ready";
            nodes.add(new Node(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getLong(5), lastHeartbeat, health));
          }
          return nodes;
        });
  }

  /** Forgets nodes that stopped or went silent before {@code before}. */
  public int forgetNodes(long before) {
    return metastore.inTransaction(connection -> Metastore.execute(connection,
        "DELETE FROM cluster_nodes WHERE last_heartbeat < ?", before));
  }

  /**
   * Takes or renews lease {@code name} for {@code holder} until {@code now + durationMs}; true when
   * {@code holder} holds it afterwards. A lease expired or held by {@code holder} can be taken; the
   * database's row lock (PostgreSQL) or single writer (SQLite) lets only one contender win.
   */
  public boolean tryAcquire(String name, String holder, long durationMs, long now) {
    return metastore.inTransaction(connection -> {
      int renewed = Metastore.execute(connection,
          "UPDATE leases SET acquired_at = CASE WHEN holder = ? THEN acquired_at ELSE ? END, holder = ?,"
              + " expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)",
          holder, now, holder, now + durationMs, name, holder, now);
      if (renewed > 0) {
        return true;
      }
      return Metastore.execute(connection,
          "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)"
              + " ON CONFLICT (name) DO NOTHING",
          name, holder, now, now + durationMs) > 0;
    });
  }

  /** Gives the lease up at once, if {@code holder} has it. */
  public void release(String name, String holder) {
    metastore.inTransaction(connection -> Metastore.execute(connection,
        "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder));
  }

  /** Who holds {@code name} now, if anyone. */
  public Optional<String> holder(String name, long now) {
    return metastore.query("SELECT holder FROM leases WHERE name = ? AND expires_at >= ?",
        rows -> rows.next() ? Optional.of(rows.getString(1)) : Optional.empty(), name, now);
  }
}
