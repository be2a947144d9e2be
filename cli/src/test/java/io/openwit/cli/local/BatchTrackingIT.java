package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openwit.pipeline.Checkpoints;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Batches followed through their stages for real sends (PostgreSQL metastore): every stage set
 * from its event, a stopped pipeline raising stuck-batch alerts that clear when it runs again, and
 * a batch the pipeline skipped replayed once from its Kafka offsets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchTrackingIT {
  private static final long STUCK_AFTER_MS = 4_000;
  private static OpenWitUnderTest openWit;
  private static String api;
  private static long spansSent;

  @BeforeAll
  static void start() {
    openWit = OpenWitUnderTest.start(Metastores.POSTGRESQL, Map.of(
        "batch_tracking.stuck_after_ms", Long.toString(STUCK_AFTER_MS),
        "batch_tracking.flush_interval_ms", "200",
        // a job without a checkpoint reads only new records: how an operator skips a backlog
        "pipeline.starting_offsets", "latest",
        "maintenance.tick_ms", "500"));
    api = openWit.config.catalogUri() + "/api/batch-monitor";
  }

  @AfterAll
  static void stop() throws Exception {
    openWit.close();
  }

  @Test
  @Order(1)
  void everyStageIsSetFromItsEvent() throws Exception {
    SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
    sdk.asService("tracked", tracer -> SdkSpans.simpleSpans(tracer, 1_200));
    spansSent += 1_200;
    assertThat(openWit.awaitSpanCount(spansSent, Duration.ofMinutes(2))).isEqualTo(spansSent);
    Await.until(() -> getJson(api + "/batches?status=pending").path("count").asInt() == 0,
        Duration.ofMinutes(1), "every batch completed");

    List<JsonNode> batches = HttpApi.elements(getJson(api + "/batches?status=all").path("batches"));
    assertThat(batches).isNotEmpty();
    assertThat(batches.stream().mapToLong(batch -> batch.path("message_count").asLong()).sum()).isEqualTo(1_200);
    String tracesTopic = openWit.config.ingestion().kafka().topics().traces();
    for (JsonNode batch : batches) {
      assertThat(batch.path("stage").asText()).isEqualTo("completed");
      assertThat(batch.path("source").asText()).isEqualTo("receiver");
      assertThat(batch.path("tenant").asText()).isEqualTo("default");
      assertThat(batch.path("signal").asText()).isEqualTo("traces");
      assertThat(batch.path("topics").asText()).isEqualTo(tracesTopic);
      assertThat(batch.path("partition").asInt()).isNotNegative();
      assertThat(batch.path("first_offset").asLong()).isNotNegative().isEqualTo(batch.path("last_offset").asLong());
      assertThat(batch.path("batch_size").asLong()).isPositive();
      assertThat(batch.path("flink_job_id").asText()).isEqualTo(openWit.ingestJob.toString());
      assertThat(instant(batch, "created_at")).isBeforeOrEqualTo(instant(batch, "wal_written_at"));
      assertThat(instant(batch, "created_at")).isBeforeOrEqualTo(instant(batch, "ingested_at"));
      assertThat(instant(batch, "ingested_at")).isBeforeOrEqualTo(instant(batch, "stored_at"));
      assertThat(instant(batch, "stored_at")).isBeforeOrEqualTo(instant(batch, "completed_at"));
      assertThat(batch.path("indexed_at").isNull()).as("no index builder runs yet").isTrue();
      long snapshot = batch.path("snapshot_id").asLong();
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".\"spans$snapshots\" WHERE snapshot_id = "
          + snapshot)).as("the snapshot that stored batch %s", batch.path("batch_id")).isEqualTo(1);
    }

    JsonNode status = getJson(api + "/status");
    assertThat(status.path("tenants").path("default").path("stages").path("completed").asInt())
        .isEqualTo(batches.size());
    assertThat(status.path("pending").asInt()).isZero();
    assertThat(status.path("throughput").path("stored_items_per_second").asDouble()).isPositive();

    String id = batches.get(0).path("batch_id").asText();
    assertThat(getJson(api + "/batches/" + id).path("batch_id").asText()).isEqualTo(id);
    HttpApi.Answer unknown = HttpApi.get(api + "/batches/no-such-batch");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("no batch 'no-such-batch'");
    HttpApi.Answer badStatus = HttpApi.get(api + "/batches?status=bogus");
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.body()).contains("unknown batch status 'bogus'");

    HttpApi.Run show = HttpApi.cli("batches", "show", id, "--catalog", openWit.config.catalogUri());
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out()).contains("\"stage\" : \"completed\"");
  }

  @Test
  @Order(2)
  void stoppedPipelineRaisesStuckAlertsThatClearWhenItRuns() throws Exception {
    openWit.cancelIngestJob();
    SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
    sdk.asService("while-stopped", tracer -> SdkSpans.simpleSpans(tracer, 300));
    spansSent += 300;
    awaitWaitingItems(300);
    Set<String> waiting = ids(getJson(api + "/batches?status=wal_written"));

    Await.until(() -> ids(getJson(api + "/alerts"), "alerts").containsAll(waiting),
        Duration.ofSeconds(30), "stuck alerts for the batches waiting on the stopped pipeline");
    for (JsonNode alert : HttpApi.elements(getJson(api + "/alerts").path("alerts"))) {
      assertThat(alert.path("kind").asText()).isEqualTo("stuck");
      assertThat(alert.path("stage").asText()).isEqualTo("wal_written");
      assertThat(alert.path("waiting_for").asText()).isEqualTo("ingested");
      assertThat(alert.path("age_seconds").asDouble()).isGreaterThanOrEqualTo(STUCK_AFTER_MS / 1000.0);
    }
    HttpApi.Run cliAlerts = HttpApi.cli("batches", "alerts", "--catalog", openWit.config.catalogUri());
    assertThat(cliAlerts.exitCode()).isZero();
    assertThat(cliAlerts.out()).contains(waiting.iterator().next()).contains("wal_written");

    openWit.startIngestJob();
    assertThat(openWit.awaitSpanCount(spansSent, Duration.ofMinutes(2))).isEqualTo(spansSent);
    Await.until(() -> getJson(api + "/alerts").path("alerts").isEmpty(), Duration.ofMinutes(1),
        "alerts cleared once the pipeline stored the batches");
  }

  @Test
  @Order(3)
  void batchSkippedByThePipelineIsReplayedOnceFromItsOffsets() throws Exception {
    openWit.cancelIngestJob();
    SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
    sdk.asService("skipped", tracer -> SdkSpans.simpleSpans(tracer, 100));
    awaitWaitingItems(100);
    Set<String> skipped = ids(getJson(api + "/batches?status=wal_written"));
    assertThat(skipped).hasSize(1);
    String batchId = skipped.iterator().next();

    // The checkpoints are discarded, so the new job starts at the end of the topics, past the batch.
    Path checkpoints = LocalFlink.checkpointRoot(openWit.config);
    FileUtils.deleteDirectory(checkpoints.toFile());
    openWit.startIngestJob();
    Await.until(() -> openWit.engines.flink.status(openWit.ingestJob) == JobStatus.RUNNING
        && Checkpoints.latestCompleted(checkpoints).isPresent(), Duration.ofMinutes(1), "the new job running");
    sdk.asService("after-restart", tracer -> SdkSpans.simpleSpans(tracer, 50));
    spansSent += 50;
    assertThat(openWit.awaitSpanCount(spansSent, Duration.ofMinutes(2))).isEqualTo(spansSent);
    Await.until(() -> ids(getJson(api + "/alerts"), "alerts").contains(batchId), Duration.ofSeconds(30),
        "the skipped batch alerting as stuck");

    HttpApi.Run replay = HttpApi.cli("batches", "replay", batchId, "--catalog", openWit.config.catalogUri());
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("\"records\" : 1");
    spansSent += 100;
    assertThat(openWit.awaitSpanCount(spansSent, Duration.ofMinutes(2))).isEqualTo(spansSent);
    assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans")).isEqualTo(spansSent);
    Await.until(() -> getJson(api + "/batches/" + batchId).path("stage").asText().equals("completed"),
        Duration.ofMinutes(1), "the replayed batch completed");
    assertThat(getJson(api + "/batches/" + batchId).path("retry_count").asInt()).isEqualTo(1);

    HttpApi.Run again = HttpApi.cli("batches", "replay", batchId, "--catalog", openWit.config.catalogUri());
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("is already stored");
    assertThat(openWit.awaitSpanCount(spansSent, Duration.ofSeconds(5))).isEqualTo(spansSent);
  }

  /** Tracking is written asynchronously: waits until the acknowledged items show as wal_written. */
  private static void awaitWaitingItems(long items) throws Exception {
    Await.until(() -> HttpApi.elements(getJson(api + "/batches?status=wal_written").path("batches")).stream()
        .mapToLong(batch -> batch.path("message_count").asLong()).sum() == items, Duration.ofSeconds(30),
        items + " items waiting as wal_written");
  }

  private static JsonNode getJson(String url) throws Exception {
    return HttpApi.getJson(url);
  }

  private static Set<String> ids(JsonNode listing) {
    return ids(listing, "batches");
  }

  private static Set<String> ids(JsonNode listing, String field) {
    return HttpApi.elements(listing.path(field)).stream().map(batch -> batch.path("batch_id").asText())
        .collect(Collectors.toSet());
  }

  private static Instant instant(JsonNode batch, String field) {
    return Instant.parse(batch.path(field).asText());
  }

}
