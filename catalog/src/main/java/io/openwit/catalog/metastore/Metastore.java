package io.openwit.catalog.metastore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * OpenWit's own metadata database: PostgreSQL in real deployments, an SQLite file by default. The
 * Iceberg JDBC catalog keeps its tables in the same database.
 */
public final class Metastore {
  private final String jdbcUrl;
  private final String user;
  private final String password;

  public Metastore(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public boolean isSqlite() {
    return jdbcUrl.startsWith("jdbc:sqlite:");
  }

  /** Brings the schema up to date; safe to run at every start. */
  public void migrate() {
    Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/metastore")
        .table("openwit_schema_history")
        .load()
        .migrate();
  }

  public List<String> tenants() {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT tenant_id FROM tenants ORDER BY tenant_id")) {
      List<String> tenants = new ArrayList<>();
      while (rows.next()) {
        tenants.add(rows.getString(1));
      }
      return tenants;
    } catch (SQLException e) {
      throw new MetastoreException("cannot list tenants in " + jdbcUrl, e);
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (!user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl, properties);
  }
}
