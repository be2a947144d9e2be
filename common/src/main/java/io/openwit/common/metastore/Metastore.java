package io.openwit.common.metastore;

import io.openwit.common.config.OpenWitConfig;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.flywaydb.core.Flyway;

/**
 * OpenWit's own metadata database: PostgreSQL in real deployments, an SQLite file by default.
 * It holds the tenant registry and API keys (hashed); the Iceberg JDBC catalog keeps its tables in
 * the same database.
 */
public final class Metastore {
  private final String jdbcUrl;
  private final String user;
  private final String password;
  /**
   * The driver itself, not DriverManager: in a Flink TaskManager each job has its own class loader,
   * and DriverManager refuses a driver that another job's loader registered first.
   */
  private final Driver driver;

  public Metastore(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.driver = isSqlite() ? new org.sqlite.JDBC() : new org.postgresql.Driver();
  }

  /** The metastore {@code config} names (an SQLite file in the data directory by default). */
  public static Metastore of(OpenWitConfig config) {
    return new Metastore(config.metastoreJdbcUrl(), config.metastore().user(), config.metastore().password());
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public boolean isSqlite() {
    return jdbcUrl.startsWith("jdbc:sqlite:");
  }

  /** Brings the schema up to date; safe to run at every start. */
  public void migrate() {
    if (isSqlite()) {
      query("PRAGMA journal_mode=WAL", rows -> null);
    }
    Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/metastore")
        .table("openwit_schema_history")
        .load()
        .migrate();
  }

  /** A tenant and the public ids of its API keys. */
  public record Tenant(String id, List<String> keyIds) {}

  /** Creates {@code tenant} with its first API key, which is returned and never stored in clear. */
  public ApiKeys.NewKey createTenant(String tenant) {
    ApiKeys.checkTenantId(tenant);
    return inTransaction(connection -> {
      if (tenantExists(connection, tenant)) {
        throw new IllegalArgumentException("tenant '" + tenant + "' already exists");
      }
      update(connection, "INSERT INTO tenants (tenant_id) VALUES (?)", tenant);
      return addKey(connection, tenant);
    });
  }

  /** Replaces every key of {@code tenant} with one new key. */
  public ApiKeys.NewKey rotateKey(String tenant) {
    return inTransaction(connection -> {
      requireTenant(connection, tenant);
      update(connection, "DELETE FROM api_keys WHERE tenant_id = ?", tenant);
      return addKey(connection, tenant);
    });
  }

  /** Removes the tenant and its keys; its tables and data stay in the warehouse. */
  public void deleteTenant(String tenant) {
    inTransaction(connection -> {
      requireTenant(connection, tenant);
      update(connection, "DELETE FROM api_keys WHERE tenant_id = ?", tenant);
      update(connection, "DELETE FROM tenants WHERE tenant_id = ?", tenant);
      return null;
    });
  }

  public List<Tenant> tenantsWithKeys() {
    List<String> tenants = tenants();
    Map<String, List<String>> keys = new HashMap<>();
    query("SELECT tenant_id, key_id FROM api_keys ORDER BY key_id", rows -> {
      while (rows.next()) {
        keys.computeIfAbsent(rows.getString(1), ignored -> new ArrayList<>()).add(rows.getString(2));
      }
      return null;
    });
    return tenants.stream().map(tenant -> new Tenant(tenant, keys.getOrDefault(tenant, List.of()))).toList();
  }

  /** Every key hash and the tenant it belongs to. */
  public Map<String, String> tenantsByKeyHash() {
    return query("SELECT key_hash, tenant_id FROM api_keys", rows -> {
      Map<String, String> byHash = new HashMap<>();
      while (rows.next()) {
        byHash.put(rows.getString(1), rows.getString(2));
      }
      return byHash;
    });
  }

  /** An admin key's public id and when it was made. */
  public record AdminKey(String id, String createdAt) {}

  /** A new admin key, returned once and never stored in clear. */
  public ApiKeys.NewKey createAdminKey() {
    ApiKeys.NewKey key = ApiKeys.generate();
    inTransaction(connection -> execute(connection, "INSERT INTO admin_keys (key_id, key_hash) VALUES (?, ?)",
        key.id(), ApiKeys.hash(key.key())));
    return key;
  }

  public List<AdminKey> adminKeys() {
    return query("SELECT key_id, created_at FROM admin_keys ORDER BY created_at, key_id", rows -> {
      List<AdminKey> keys = new ArrayList<>();
      while (rows.next()) {
        keys.add(new AdminKey(rows.getString(1), rows.getString(2)));
      }
      return keys;
    });
  }

  /** Revokes the admin key whose public id is {@code keyId}. */
  public void revokeAdminKey(String keyId) {
    int removed = inTransaction(connection -> execute(connection, "DELETE FROM admin_keys WHERE key_id = ?", keyId));
    if (removed == 0) {
      throw new IllegalArgumentException("no admin key '" + keyId + "' (openwit admin-keys list shows them)");
    }
  }

  /** The hash of every admin key. */
  public Set<String> adminKeyHashes() {
    return query("SELECT key_hash FROM admin_keys", rows -> {
      Set<String> hashes = new HashSet<>();
      while (rows.next()) {
        hashes.add(rows.getString(1));
      }
      return hashes;
    });
  }

  private static ApiKeys.NewKey addKey(Connection connection, String tenant) throws SQLException {
    ApiKeys.NewKey key = ApiKeys.generate();
    update(connection, "INSERT INTO api_keys (key_id, tenant_id, key_hash) VALUES (?, ?, ?)",
        key.id(), tenant, ApiKeys.hash(key.key()));
    return key;
  }

  private static void requireTenant(Connection connection, String tenant) throws SQLException {
    if (!tenantExists(connection, tenant)) {
      throw new IllegalArgumentException("no tenant '" + tenant + "'");
    }
  }

  private static boolean tenantExists(Connection connection, String tenant) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM tenants WHERE tenant_id = ?")) {
      statement.setString(1, tenant);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static void update(Connection connection, String sql, String... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      statement.executeUpdate();
    }
  }

  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  interface RowsReader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  /** The batch tracker's tables. */
  public BatchStore batches() {
    return new BatchStore(this);
  }

  /** The full-text index registry: segments and the data files they index. */
  public IndexRegistry indexes() {
    return new IndexRegistry(this);
  }

  /** The control plane's tables: nodes and leases. */
  public ControlPlane controlPlane() {
    return new ControlPlane(this);
  }

  /** Whether the database answers. */
  public boolean isReachable() {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(5);
      statement.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  <T> T inTransaction(Work<T> work) {
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new MetastoreException("metastore update failed in " + jdbcUrl, e);
    }
  }

  <T> T query(String sql, RowsReader<T> reader, Object... parameters) {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, parameters);
      try (ResultSet rows = statement.executeQuery()) {
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw new MetastoreException("metastore query failed in " + jdbcUrl, e);
    }
  }

  static int execute(Connection connection, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, parameters);
      return statement.executeUpdate();
    }
  }

  static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
  }

  public List<String> tenants() {
    return query("SELECT tenant_id FROM tenants ORDER BY tenant_id", rows -> {
      List<String> tenants = new ArrayList<>();
      while (rows.next()) {
        tenants.add(rows.getString(1));
      }
      return tenants;
    });
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (!user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      properties.setProperty("password", password);
    }
    if (isSqlite()) {
      // the catalog writes to the same file: wait for its lock instead of failing with SQLITE_BUSY.
      // WAL is set once by migrate(); switching it on every connection takes a lock of its own,
      // which concurrent connections get refused without waiting.
      properties.setProperty("busy_timeout", "30000");
      // A transaction takes the write lock when it begins: one that read first and then wanted to
      // write after another connection committed would get SQLITE_BUSY at once, without waiting.
      properties.setProperty("transaction_mode", "IMMEDIATE");
    }
    Connection connection = driver.connect(jdbcUrl, properties);
    if (connection == null) {
      throw new SQLException("no JDBC driver for " + jdbcUrl);
    }
    return connection;
  }
}
