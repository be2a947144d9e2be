package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.OpenWitConfig;
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
 * A Trino cluster as the query-service configures one: a coordinator that only plans (it schedules
 * no splits on itself) and a worker, separate processes, queried through the coordinator. A table
 * scan that succeeds there ran on the worker.
 */
class TrinoClusterIT {

  @Test
  void coordinatorAndWorkerAnswerSqlOverTheIcebergTables() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of())) {
      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      sdk.asService("trino-cluster", tracer -> SdkSpans.simpleSpans(tracer, 500));
      long acknowledged = sdk.acknowledged.get();
      assertThat(openWit.awaitSpanCount(acknowledged, Duration.ofMinutes(2))).isEqualTo(acknowledged);

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

          assertThat(single(statement, "SELECT count(*) FROM openwit.\"default\".spans")).isEqualTo(acknowledged);
          assertThat(single(statement,
              "SELECT count(*) FROM openwit.\"default\".spans WHERE service_name = 'trino-cluster'"
                  + " AND name LIKE 'GET /items/%'")).isEqualTo(acknowledged);
          // the scans' tasks ran on the worker: the coordinator schedules no splits on itself
          assertThat(single(statement, "SELECT count(*) FROM system.runtime.tasks WHERE node_id = '" + workerId
              + "' AND completed_splits > 0")).isPositive();
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
