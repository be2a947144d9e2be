package io.openwit.cli.local;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/** The two metastore backends under test: a fresh PostgreSQL database, or an SQLite file. */
enum Metastores {
  POSTGRESQL,
  SQLITE;

  /** The local PostgreSQL server (trust auth), as on the CI machine. */
  private static final String POSTGRES_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
  private static final String POSTGRES_USER = "postgres";

  /** A JDBC URL to an empty metastore of this kind. */
  String createEmpty(Path dataDir) {
    if (this == SQLITE) {
      return "jdbc:sqlite:" + dataDir.resolve("metastore.db");
    }
    String database = "openwit_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = DriverManager.getConnection(POSTGRES_ADMIN_URL, POSTGRES_USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create a PostgreSQL database at " + POSTGRES_ADMIN_URL + " (is the server running?)", e);
    }
    return "jdbc:postgresql://127.0.0.1:5432/" + database;
  }

  void drop(String jdbcUrl) {
    if (this == SQLITE) {
      return;
    }
    String database = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
    try (Connection connection = DriverManager.getConnection(POSTGRES_ADMIN_URL, POSTGRES_USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop PostgreSQL database " + database, e);
    }
  }

  String user() {
    return this == POSTGRESQL ? POSTGRES_USER : "";
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
