package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.NodeHeartbeat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Self-observability of a running OpenWit: {@code /metrics} parsed as Prometheus parses it (the
 * receiver's counters and histograms, batch gauges, and the Flink job's metrics), the health
 * endpoints, and the node registry with a node that stopped heartbeating.
 */
class ObservabilityIT {
  private static final Map<String, String> TRACES = Map.of("tenant", "default", "signal", "traces");

  @Test
  void metricsHealthAndNodesDescribeTheRunningSystem() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "cluster.heartbeat_interval_ms", "500",
        "cluster.down_after_ms", "2000"))) {
      String receiver = "http://localhost:" + openWit.receiver.httpPort();
      String catalog = openWit.config.catalogUri();
      PrometheusText before = PrometheusText.scrape(receiver + "/metrics");

      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      sdk.asService("observed", tracer -> SdkSpans.simpleSpans(tracer, 700));
      assertThat(openWit.awaitSpanCount(700, Duration.ofMinutes(2))).isEqualTo(700);

      PrometheusText after = PrometheusText.scrape(receiver + "/metrics");
      Map<String, String> accepted = Map.of("tenant", "default", "signal", "traces", "outcome", "accepted");
      assertThat(delta(before, after, "openwit_receiver_items_total", accepted)).isEqualTo(700);
      double requests = delta(before, after, "openwit_receiver_requests_total", accepted);
      assertThat(requests).isGreaterThanOrEqualTo(2);
      assertThat(delta(before, after, "openwit_receiver_request_duration_seconds", Map.of("signal", "traces")))
          .isEqualTo(requests);
      assertThat(delta(before, after, "openwit_receiver_kafka_produce_duration_seconds", Map.of("signal", "traces")))
          .isEqualTo(requests);
      assertThat(delta(before, after, "openwit_receiver_bytes_total", TRACES)).isPositive();
      assertThat(after.has("openwit_receiver_in_flight_bytes")).isTrue();
      assertThat(after.has("jvm_memory_used_bytes")).isTrue();

      Await.until(() -> PrometheusText.scrape(catalog + "/metrics")
              .value("openwit_batches", Map.of("tenant", "default", "stage", "completed")) >= requests,
          Duration.ofSeconds(45), "batch stage gauges counting the completed batches");
      assertThat(PrometheusText.scrape(catalog + "/metrics").has("openwit_maintenance_last_run_timestamp_seconds"))
          .isTrue();
      PrometheusText flink = PrometheusText.flinkJob(openWit.ingestJob.toString());
      assertThat(flink.value("flink_jobmanager_job_numberOfCompletedCheckpoints",
          Map.of("job_id", openWit.ingestJob.toString()))).isPositive();
      // the Iceberg sink's data file sizes, per table (the job carries flink-metrics-dropwizard for them)
      assertThat(flink.value("flink_taskmanager_job_task_operator_IcebergStreamWriter_table_dataFilesSizeHistogram",
          Map.of("job_id", openWit.ingestJob.toString(), "table", "default_spans"))).isPositive();

      assertThat(HttpApi.get(receiver + "/health/live").status()).isEqualTo(200);
      HttpApi.Answer ready = HttpApi.get(receiver + "/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().path("checks").path("kafka").asText()).isEqualTo("up");
      HttpApi.Answer catalogReady = HttpApi.get(catalog + "/health/ready");
      assertThat(catalogReady.status()).isEqualTo(200);
      assertThat(catalogReady.json().path("checks").path("metastore").asText()).isEqualTo("up");

      JsonNode nodes = HttpApi.getJson(catalog + "/api/cluster/nodes");
      assertThat(health(nodes, "catalog")).containsOnly("up");
      assertThat(health(nodes, "receiver")).containsOnly("up");
      assertThat(health(nodes, "pipeline")).containsOnly("up");
      assertThat(HttpApi.elements(nodes.path("nodes")))
          .anySatisfy(node -> assertThat(node.path("address").asText()).contains(openWit.ingestJob.toString()));
      assertThat(nodes.path("janitor_leader").asText()).startsWith("catalog@");

      // a receiver whose process died: its last heartbeat was 5 s ago, more than down_after_ms
      Metastore metastore = new Metastore(openWit.metastoreUrl, openWit.config.metastore().user(), "");
      long now = System.currentTimeMillis();
      metastore.controlPlane().heartbeat("receiver@gone:4318", "receiver", "gone:4318", NodeHeartbeat.VERSION,
          now - 60_000, true, now - 5_000);
      openWit.cancelIngestJob();
      Await.until(() -> health(HttpApi.getJson(catalog + "/api/cluster/nodes"), "pipeline").contains("stopped"),
          Duration.ofSeconds(30), "the cancelled job's pipeline node shown stopped");
      HttpApi.Run cli = HttpApi.cli("nodes", "--catalog", catalog);
      assertThat(cli.exitCode()).as(cli.err()).isZero();
      assertThat(cli.out()).contains("gone:4318").contains("down").contains("stopped").contains("catalog");
    }
  }

  private static double delta(PrometheusText before, PrometheusText after, String family, Map<String, String> labels) {
    return after.value(family, labels) - before.value(family, labels);
  }

  private static List<String> health(JsonNode nodes, String role) {
    return HttpApi.elements(nodes.path("nodes")).stream()
        .filter(node -> node.path("role").asText().equals(role))
        .map(node -> node.path("health").asText())
        .toList();
  }
}
