package io.openwit.common.metastore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh, migrated metastores for tests: an SQLite file, or a new database on the local PostgreSQL
 * server (trust auth), dropped by {@link #close}.
 */
final class TestMetastores implements AutoCloseable {
  private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

  private String database;

  Metastore migrated(String backend, Path dataDir) throws SQLException {
    Metastore metastore;
    if (backend.equals("postgresql")) {
      database = "openwit_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      admin("CREATE DATABASE " + database);
      metastore = new Metastore(POSTGRES + database, "postgres", "");
    } else {
      metastore = new Metastore("jdbc:sqlite:" + dataDir.resolve("metastore.db"), "", "");
    }
    metastore.migrate();
    return metastore;
  }

  @Override
  public void close() throws SQLException {
    if (database != null) {
      admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      database = null;
    }
  }

  private static void admin(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
