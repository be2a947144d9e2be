package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openwit.common.config.OpenWitConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Single-node mode exactly as {@code ./openwit local} assembles it (its own Kafka, SQLite catalog,
 * receiver, MiniCluster with dashboard, Trino), stopped and started again on the same data
 * directory. It runs its own Trino, unlike the other integration tests, because that is what it tests.
 */
class LocalStackIT {

  @Test
  void startsEverythingAndKeepsTheDataAcrossARestart() throws Exception {
    Path dataDir = Files.createTempDirectory("openwit-local-");
    Map<String, String> settings = new HashMap<>(SharedEngines.ownPorts());
    settings.put("pipeline.checkpoint_interval_ms", "2000");
    // searches here read rows back from Parquet (SearchIT covers rows kept in the index)
    settings.put("index.store_rows", "false");
    OpenWitConfig config = SharedEngines.config(dataDir, settings);
    String endpoint = "http://127.0.0.1:" + config.receiver().httpPort() + "/v1/traces";

    try (LocalStack stack = LocalStack.start(config)) {
      HttpResponse<String> dashboard = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.flink().dashboardPort() + "/jobs/overview")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(dashboard.statusCode()).isEqualTo(200);
      assertThat(dashboard.body()).contains("openwit-ingest").contains("RUNNING");

      SdkSpans sdk = new SdkSpans(endpoint);
      sdk.asService("before-restart", tracer -> SdkSpans.simpleSpans(tracer, 1_000));
      assertThat(sdk.acknowledged.get()).isEqualTo(1_000);
      assertThat(awaitCount(stack, 1_000)).isEqualTo(1_000);
    }
    assertThat(dataDir.resolve("metastore.db")).isRegularFile();

    try (LocalStack stack = LocalStack.start(config)) {
      assertThat(count(stack)).as("spans kept across the restart").isEqualTo(1_000);
      SdkSpans sdk = new SdkSpans(endpoint);
      sdk.asService("after-restart", tracer -> SdkSpans.simpleSpans(tracer, 500));
      assertThat(awaitCount(stack, 1_500)).isEqualTo(1_500);
      assertSpanSearchMatchesSql(stack, "http://127.0.0.1:" + config.query().port() + "/api/v1/search");

      // the Trino CLI as a script runs it: openwit sql without a terminal, and no JLine warning
      HttpApi.Run sql = HttpApi.cliProcess(dataDir, "sql", "--config", dataDir.resolve("openwit.yaml").toString(),
          "--output-format", "TSV", "--execute", "SELECT count(*), count(DISTINCT span_id) FROM spans");
      assertThat(sql.exitCode()).as(sql.err()).isZero();
      assertThat(sql.out().trim()).isEqualTo("1500\t1500");
      assertThat(sql.err()).doesNotContain("terminal");

      // the control plane on the SQLite metastore of single-node mode
      String catalog = config.catalogUri();
      Await.until(() -> HttpApi.getJson(catalog + "/api/batch-monitor/status").path("tenants").path("default")
          .path("stages").path("completed").asLong() >= 2, Duration.ofMinutes(1), "batches of both runs completed");
      JsonNode nodes = HttpApi.getJson(catalog + "/api/cluster/nodes");
      assertThat(HttpApi.elements(nodes.path("nodes")))
          .extracting(node -> node.path("role").asText() + ":" + node.path("health").asText())
          .contains("catalog:up", "receiver:up", "pipeline:up", "query:up");
      HttpApi.Run maintenance = HttpApi.cli("maintenance", "run", "--catalog", catalog);
      assertThat(maintenance.exitCode()).as(maintenance.err()).isZero();
      assertThat(maintenance.out()).contains("\"ran\" : true").contains("default.spans");
    }
  }

  /**
   * Span search through the API and through the {@code search} catalog that single-node mode sets
   * up finds the error spans SQL finds, with the same column values.
   */
  private static void assertSpanSearchMatchesSql(LocalStack stack, String api) throws Exception {
    Await.until(() -> HttpApi.getJson(api + "?signal=traces&limit=0&query=*").path("total_hits").asLong() == 1_500,
        Duration.ofMinutes(2), "every span indexed");
    Map<String, String> sqlRows = new HashMap<>();
    try (Connection connection = stack.trino().connect(); ResultSet rows = connection.createStatement().executeQuery(
        "SELECT span_id, name || '|' || status_message || '|' || to_iso8601(start_time) || '|' || attributes['item.index']"
            + " FROM openwit.\"default\".spans WHERE service_name = 'after-restart' AND status_code = 'ERROR'")) {
      while (rows.next()) {
        sqlRows.put(rows.getString(1), rows.getString(2));
      }
    }
    assertThat(sqlRows).hasSize(6);

    JsonNode found = HttpApi.getJson(api + "?signal=traces&limit=100&query="
        + URLEncoder.encode("\"not found\" AND service_name:after-restart", StandardCharsets.UTF_8));
    assertThat(found.path("total_hits").asLong()).isEqualTo(sqlRows.size());
    Map<String, String> apiRows = new HashMap<>();
    found.path("hits").forEach(hit -> apiRows.put(hit.path("span_id").asText(), hit.path("name").asText() + "|"
        + hit.path("status_message").asText() + "|" + Instant.parse(hit.path("start_time").asText()) + "|"
        + hit.path("attributes").path("item.index").asText()));
    assertThat(normalizedTimes(apiRows)).isEqualTo(normalizedTimes(sqlRows));

    Set<String> functionSpans = new HashSet<>();
    try (Connection connection = stack.trino().connect(); ResultSet rows = connection.createStatement().executeQuery(
        "SELECT span_id FROM TABLE(search.system.spans(query => '\"not found\" AND service_name:after-restart'))")) {
      while (rows.next()) {
        functionSpans.add(rows.getString(1));
      }
    }
    assertThat(functionSpans).isEqualTo(sqlRows.keySet());
  }

  /** The same rows with their ISO-8601 times written one way (Trino and Java print them differently). */
  private static Map<String, String> normalizedTimes(Map<String, String> rows) {
    Map<String, String> normalized = new HashMap<>();
    rows.forEach((spanId, row) -> {
      String[] parts = row.split("\\|", -1);
      parts[2] = Instant.parse(parts[2]).toString();
      normalized.put(spanId, String.join("|", parts));
    });
    return normalized;
  }

  private static long awaitCount(LocalStack stack, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    long count = count(stack);
    while (count < expected && System.nanoTime() < deadline) {
      Thread.sleep(500);
      count = count(stack);
    }
    Thread.sleep(3 * OpenWitUnderTest.CHECKPOINT_INTERVAL_MS);
    return count(stack);
  }

  private static long count(LocalStack stack) throws Exception {
    try (Connection connection = stack.trino().connect();
        ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM openwit.\"default\".spans")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
