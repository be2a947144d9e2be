package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite in WAL mode refuses a transaction that read, then wants to write after another connection
 * committed meanwhile (SQLITE_BUSY at once: its snapshot is stale, and waiting cannot help). Every
 * process of a single-node OpenWit writes the same file, so the metastore's transactions take the
 * write lock when they begin, and a second writer waits for it instead.
 */
class SqliteTransactionsTest {
  @TempDir Path dataDir;

  @Test
  void aTransactionThatReadsThenWritesWaitsOutAConcurrentWriterInsteadOfFailing() throws Exception {
    try (TestMetastores metastores = new TestMetastores()) {
      Metastore metastore = metastores.migrated("sqlite", dataDir);
      CompletableFuture<?>[] concurrent = new CompletableFuture<?>[1];
      metastore.inTransaction(connection -> {
        try (Statement statement = connection.createStatement()) {
          try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM tenants")) {
            assertThat(rows.next()).isTrue();
          }
          concurrent[0] = CompletableFuture.runAsync(() -> metastore.createTenant("second"));
          // long enough for the other connection to commit, were it not made to wait
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
          assertThat(concurrent[0]).as("the other writer, while this transaction holds the lock").isNotDone();
          statement.executeUpdate("INSERT INTO tenants (tenant_id) VALUES ('first')");
        }
        return null;
      });
      concurrent[0].get(30, TimeUnit.SECONDS);
      assertThat(metastore.tenants()).contains("first", "second");
    }
  }
}
