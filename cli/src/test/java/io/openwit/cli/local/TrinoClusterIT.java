package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.Metastore;
import io.openwit.query.trino.TrinoConfiguration;
import io.openwit.query.trino.TrinoServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Trino cluster as the query-service configures one, with {@code auth.enabled} as cluster mode
 * ships: a coordinator that only plans (it schedules no splits on itself) and a worker, separate
 * processes that talk with the secret derived from the service key, queried through the
 * coordinator over HTTPS. A table scan that succeeds there ran on the worker.
 */
class TrinoClusterIT {
  private static final long KEY_REFRESH_MS = 300;

  @Test
  void coordinatorAndWorkerAnswerSqlOverTheIcebergTables() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "auth.enabled", "true",
        "auth.key_refresh_ms", Long.toString(KEY_REFRESH_MS),
        "trino.https_port", Integer.toString(SharedEngines.freePort())))) {
      String acmeKey = Metastore.of(openWit.config).createTenant("acme").key();
      Thread.sleep(3 * KEY_REFRESH_MS);
      SdkSpans.Sent sent = SdkSpans.sendWith(OtlpHttpSpanExporter.builder().setEndpoint(openWit.tracesEndpoint())
          .addHeader("Authorization", "Bearer " + acmeKey).build(), "trino-cluster", 500);
      long acknowledged = sent.acknowledged();
      assertThat(acknowledged).isEqualTo(500);
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.acme.spans", acknowledged, Duration.ofMinutes(2)))
          .isEqualTo(acknowledged);

      OpenWitConfig config = openWit.config;
      Path root = openWit.engines.root.resolve("trino-cluster-" + System.nanoTime());
      int port = SharedEngines.freePort();
      String coordinatorUri = "http://127.0.0.1:" + port;
      try (TrinoServer coordinator = TrinoServer.start(config, root.resolve("coordinator"),
              TrinoConfiguration.Role.COORDINATOR, port, coordinatorUri, "");
          TrinoServer worker = TrinoServer.start(config, root.resolve("worker"),
              TrinoConfiguration.Role.WORKER, SharedEngines.freePort(), coordinatorUri, "")) {
        assertThat(worker.isRunning()).isTrue();
        try (Connection connection = coordinator.connect(); Statement statement = connection.createStatement()) {
          assertThat(single(statement, "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'")).isEqualTo(2);
          String workerId = text(statement, "SELECT node_id FROM system.runtime.nodes WHERE NOT coordinator");

          assertThat(single(statement, "SELECT count(*) FROM openwit.acme.spans")).isEqualTo(acknowledged);
          // the scans' tasks ran on the worker: the coordinator schedules no splits on itself
          assertThat(single(statement, "SELECT count(*) FROM system.runtime.tasks WHERE node_id = '" + workerId
              + "' AND completed_splits > 0")).isPositive();
        }
        try (Connection acme = coordinator.connect("acme", acmeKey); Statement statement = acme.createStatement()) {
          assertThat(single(statement,
              "SELECT count(*) FROM openwit.acme.spans WHERE service_name = 'trino-cluster'"
                  + " AND name LIKE 'GET /items/%'")).isEqualTo(acknowledged);
          assertThatThrownBy(() -> single(statement, "SELECT count(*) FROM openwit.\"default\".spans"))
              .hasMessageContaining("Access Denied");
        }
      }
    }
  }

  private static long single(Statement statement, String sql) throws Exception {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String text(Statement statement, String sql) throws Exception {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
