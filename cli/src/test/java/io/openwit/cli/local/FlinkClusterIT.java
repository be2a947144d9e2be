package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode's ingest path on a real Flink session cluster: the pipeline's fat jar submitted with
 * {@code openwit submit} through the JobManager's REST API, checkpoints on S3-compatible storage
 * (Flink's S3 file system plugin, credentials from the environment), spans sent through the
 * receiver and read in Trino; then the TaskManager is SIGKILLed mid-stream and replaced, and every
 * acknowledged span is found exactly once. The index job runs beside it and indexes the logs.
 * Last, an upgrade: the job stops with a savepoint and is submitted again from it.
 */
class FlinkClusterIT {
  private static final String CHECKPOINT_BUCKET = "flink";
  private static final Pattern SUBMITTED = Pattern.compile("job ([0-9a-f]{32}) \\((ingest|index)\\) RUNNING");

  @Test
  void ingestJobOnAFlinkClusterSurvivesAKilledTaskManagerExactlyOnce() throws Exception {
    Path root = Files.createDirectories(SharedEngines.get().root.resolve("flink-cluster-" + System.nanoTime()));
    try (S3ProxyServer s3 = S3ProxyServer.start(root, CHECKPOINT_BUCKET);
        OpenWitUnderTest openWit = OpenWitUnderTest.startWithoutJobs(Metastores.POSTGRESQL, Map.of());
        FlinkSessionCluster flink = FlinkSessionCluster.start(root, Map.of(
                "execution.checkpointing.dir", "s3://" + CHECKPOINT_BUCKET + "/checkpoints",
                "execution.checkpointing.savepoint-dir", "s3://" + CHECKPOINT_BUCKET + "/savepoints",
                "s3.endpoint", s3.endpoint,
                "s3.path.style.access", "true"),
            Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY))) {
      Process firstTaskManager = flink.startTaskManager();
      Path config = openWit.config.dataPath().resolve("openwit.yaml");
      String jobId = submit(flink, config, "ingest", System.getProperty("ingest.job.jar"));
      String indexJobId = submit(flink, config, "index", System.getProperty("index.job.jar"));
      HttpApi.Run again = HttpApi.cli("submit", "--jobmanager", flink.restUri.toString(), "--job", "ingest",
          "--jar", System.getProperty("ingest.job.jar"), "--config", config.toString());
      assertThat(again.exitCode()).isZero();
      assertThat(again.out()).contains("job " + jobId + " (ingest) already RUNNING; not submitted again");
      assertThat(flink.rest.get("jars").path("files")).as("uploads left on the JobManager").isEmpty();
      long logs = LogCorpus.send(() -> OtlpHttpLogRecordExporter.builder().setEndpoint(openWit.httpEndpoint("logs")).build(),
          11, 0, 400, Instant.now());

      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      AtomicBoolean keepSending = new AtomicBoolean(true);
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        int wave = 0;
        while (keepSending.get() && wave < 400) {
          sdk.asService("cluster-" + (wave % 3), tracer -> SdkSpans.simpleSpans(tracer, 300));
          wave++;
        }
      });
      Await.until(() -> completedCheckpoints(flink, jobId) > 0 && openWit.spanCount() > 0,
          Duration.ofMinutes(3), "a completed checkpoint and spans in Trino");
      assertThat(allTasksRunning(flink, jobId)).isTrue();

      flink.kill(firstTaskManager);
      Await.until(() -> flink.taskManagerCount() == 0, Duration.ofMinutes(1), "the JobManager to drop the lost TaskManager");
      flink.startTaskManager();
      Await.until(() -> allTasksRunning(flink, jobId)
              && !flink.rest.get("jobs/" + jobId + "/checkpoints").path("latest").path("restored").isNull(),
          Duration.ofMinutes(2), "every task to run again, restored from the last checkpoint");
      long checkpointsBeforeRecovery = completedCheckpoints(flink, jobId);
      Await.until(() -> completedCheckpoints(flink, jobId) > checkpointsBeforeRecovery, Duration.ofMinutes(1),
          "a checkpoint after recovery");

      keepSending.set(false);
      sender.get(3, TimeUnit.MINUTES);
      long acknowledged = sdk.acknowledged.get();
      assertThat(sdk.rejected.get()).isZero();
      assertThat(openWit.awaitSpanCount(acknowledged, Duration.ofMinutes(3))).isEqualTo(acknowledged);
      assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans"))
          .isEqualTo(acknowledged);

      // the index job, restarted on the new TaskManager too, indexed every log line
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.\"default\".logs", logs, Duration.ofMinutes(1)))
          .isEqualTo(logs);
      long refused = openWit.queryLong(
          "SELECT count(*) FROM openwit.\"default\".logs WHERE body LIKE '%connection refused%'");
      assertThat(refused).isPositive();
      String search = "http://127.0.0.1:" + openWit.queryApi.port() + "/api/v1/search?limit=1000&query="
          + URLEncoder.encode("body:\"connection refused\"", StandardCharsets.UTF_8);
      Await.until(() -> HttpApi.getJson(search).path("total_hits").asLong() == refused, Duration.ofMinutes(2),
          "the index job to index the logs");
      assertThat(allTasksRunning(flink, indexJobId)).isTrue();
      for (String id : List.of(jobId, indexJobId)) {
        // the killed TaskManager was each job's one failure: the restarted tasks ran without error
        assertThat(flink.rest.get("jobs/" + id + "/exceptions").path("exceptionHistory").path("entries"))
            .as("failures of job %s", id).hasSize(1);
      }

      JsonNode job = flink.rest.job(jobId);
      assertThat(job.path("name").asText()).isEqualTo("openwit-ingest");
      assertThat(job.path("state").asText()).isEqualTo("RUNNING");
      JsonNode checkpoints = flink.rest.get("jobs/" + jobId + "/checkpoints");
      assertThat(checkpoints.path("counts").path("restored").asInt()).isGreaterThanOrEqualTo(1);
      String restoredFrom = checkpoints.path("latest").path("restored").path("external_path").asText();
      assertThat(restoredFrom).startsWith("s3://" + CHECKPOINT_BUCKET + "/checkpoints/" + jobId + "/chk-");
      assertThat(s3.objects(CHECKPOINT_BUCKET, "checkpoints/" + jobId))
          .anyMatch(object -> object.endsWith("/_metadata"));

      // an upgrade: stop with a savepoint, submit again from it; what arrived meanwhile lands once
      String savepoint = flink.stopWithSavepoint(jobId);
      assertThat(savepoint).startsWith("s3://" + CHECKPOINT_BUCKET + "/savepoints/");
      SdkSpans whileStopped = new SdkSpans(openWit.tracesEndpoint());
      whileStopped.asService("upgrade", tracer -> SdkSpans.simpleSpans(tracer, 500));
      String resumedId = submit(flink, config, "ingest", System.getProperty("ingest.job.jar"),
          "--from-savepoint", savepoint);
      Await.until(() -> flink.rest.get("jobs/" + resumedId + "/checkpoints").path("latest").path("restored")
          .path("is_savepoint").asBoolean(), Duration.ofMinutes(1), "the new job to restore the savepoint");
      long total = acknowledged + whileStopped.acknowledged.get();
      assertThat(openWit.awaitSpanCount(total, Duration.ofMinutes(3))).isEqualTo(total);
      assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans")).isEqualTo(total);
    }
  }

  /** Runs {@code openwit submit} as a user would, and returns the job id it reports. */
  static String submit(FlinkSessionCluster flink, Path config, String job, String jar, String... more) {
    List<String> arguments = new ArrayList<>(List.of("submit", "--jobmanager", flink.restUri.toString(),
        "--job", job, "--jar", jar, "--config", config.toString()));
    arguments.addAll(List.of(more));
    HttpApi.Run run = HttpApi.cli(arguments.toArray(String[]::new));
    assertThat(run.exitCode()).as("openwit submit: %s%s", run.out(), run.err()).isZero();
    Matcher submitted = SUBMITTED.matcher(run.out());
    assertThat(submitted.find()).as("openwit submit said: %s", run.out()).isTrue();
    return submitted.group(1);
  }

  /** The job and each of its tasks RUNNING: a job restarting waits in RUNNING with its tasks SCHEDULED. */
  static boolean allTasksRunning(FlinkSessionCluster flink, String jobId) throws Exception {
    JsonNode job = flink.rest.job(jobId);
    if (!job.path("state").asText().equals("RUNNING")) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!vertex.path("status").asText().equals("RUNNING")) {
        return false;
      }
    }
    return true;
  }

  private static long completedCheckpoints(FlinkSessionCluster flink, String jobId) throws Exception {
    return flink.rest.get("jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }
}
