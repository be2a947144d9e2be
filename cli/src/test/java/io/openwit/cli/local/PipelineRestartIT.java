package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.pipeline.Checkpoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;

/**
 * Cancels the ingest job (no savepoint) while spans keep arriving, starts it again from its last
 * retained checkpoint, and finds every acknowledged span exactly once.
 */
class PipelineRestartIT {

  @Test
  void cancelledJobResumesFromItsLastCheckpointWithoutLossOrDuplicates() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of())) {
      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      AtomicBoolean keepSending = new AtomicBoolean(true);
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        int wave = 0;
        while (keepSending.get() && wave < 400) {
          sdk.asService("restart-" + (wave % 3), tracer -> SdkSpans.simpleSpans(tracer, 300));
          wave++;
        }
      });

      Path checkpoints = LocalFlink.checkpointRoot(openWit.config);
      Await.until(() -> Checkpoints.latestCompleted(checkpoints).isPresent() && openWit.spanCount() > 0,
          Duration.ofMinutes(2), "a completed checkpoint and committed rows");
      long acknowledgedAtCancel = sdk.acknowledged.get();
      openWit.cancelIngestJob();
      assertThat(openWit.engines.flink.status(openWit.ingestJob)).isEqualTo(JobStatus.CANCELED);
      long committedAtCancel = openWit.spanCount();

      // spans keep being acknowledged (Kafka holds them) while no job runs
      Await.until(() -> sdk.acknowledged.get() > acknowledgedAtCancel + 2_000, Duration.ofMinutes(1),
          "more spans acknowledged while the job is down");
      assertThat(openWit.spanCount()).isEqualTo(committedAtCancel);

      Optional<Path> resumeFrom = Checkpoints.latestCompleted(checkpoints);
      assertThat(resumeFrom).isPresent();
      openWit.startIngestJob();
      Thread.sleep(3 * OpenWitUnderTest.CHECKPOINT_INTERVAL_MS);
      keepSending.set(false);
      sender.get(3, TimeUnit.MINUTES);

      long acknowledged = sdk.acknowledged.get();
      assertThat(sdk.rejected.get()).isZero();
      assertThat(acknowledged).isGreaterThan(acknowledgedAtCancel);
      assertThat(openWit.awaitSpanCount(acknowledged, Duration.ofMinutes(3))).isEqualTo(acknowledged);
      assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans"))
          .isEqualTo(acknowledged);
    }
  }
}
