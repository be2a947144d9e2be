package io.openwit.common.metastore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchEvent.Checkpointed;
import io.openwit.common.metastore.BatchEvent.Checkpointed.Member;
import io.openwit.common.metastore.BatchEvent.Consumed;
import io.openwit.common.metastore.BatchEvent.Failed;
import io.openwit.common.metastore.BatchEvent.Ingested;
import io.openwit.common.metastore.BatchEvent.WalWritten;
import io.openwit.common.metastore.BatchStore.Counts;
import io.openwit.common.metastore.BatchStore.Flow;
import io.openwit.common.observe.ProcessMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch tracker table on both backends: stage reports that commute, commits that mark batches
 * stored, the janitor's completion, the monitor's reads; and the asynchronous tracker in front of it.
 */
class BatchStoreIT {
  private static final long ANY_TIME = Long.MAX_VALUE;

  @TempDir Path dataDir;

  private final TestMetastores metastores = new TestMetastores();

  @OnBothBackends
  void stageReportsCommuteWhateverOrderTheyArriveIn(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    Map<String, Function<String, BatchEvent>> stages = Map.of(
        "wal_written", id -> new WalWritten(id, "acme", "logs", "openwit-logs", 3, 42L, "protobuf", 1000L, 10L, 100L,
            110L),
        "ingested", id -> new Ingested(id, "acme", "logs", BatchEvent.SOURCE_RECEIVER, 10L, 200L),
        "checkpointed", id -> new Checkpointed(List.of(member(id, "acme", "logs")), "job-1", 7L, 300L));
    List<List<String>> orders = List.of(
        List.of("wal_written", "ingested", "checkpointed"),
        List.of("wal_written", "checkpointed", "ingested"),
        List.of("ingested", "wal_written", "checkpointed"),
        List.of("ingested", "checkpointed", "wal_written"),
        List.of("checkpointed", "wal_written", "ingested"),
        List.of("checkpointed", "ingested", "wal_written"));
    for (int i = 0; i < orders.size(); i++) {
      for (String stage : orders.get(i)) {
        store.apply(List.of(stages.get(stage).apply("order-" + i)));
      }
    }
    store.apply(List.of(stages.get("checkpointed").apply("together"), stages.get("ingested").apply("together"),
        stages.get("wal_written").apply("together")));

    BatchRecord first = find(store, "order-0");
    assertThat(first).extracting(BatchRecord::stage, BatchRecord::source, BatchRecord::firstSeenAt,
            BatchRecord::createdAt, BatchRecord::walWrittenAt, BatchRecord::ingestedAt, BatchRecord::storedAt,
            BatchRecord::topics, BatchRecord::partition, BatchRecord::firstOffset, BatchRecord::lastOffset,
            BatchRecord::messageCount, BatchRecord::batchSize, BatchRecord::flinkJobId, BatchRecord::checkpointId,
            BatchRecord::retryCount)
        .containsExactly("ingested", "receiver", 100L, 100L, 110L, 200L, null, "openwit-logs", 3, 42L, 42L, 10L,
            1000L, "job-1", 7L, 0);
    for (String batchId : List.of("order-1", "order-2", "order-3", "order-4", "order-5", "together")) {
      assertThat(find(store, batchId)).as(batchId)
          .usingRecursiveComparison().ignoringFields("batchId").isEqualTo(first);
    }
  }

  @OnBothBackends
  void aRetriedWalWriteCountsARetryAndKeepsTheFirstOffset(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(walWritten("b1", "acme", 3, 42L, 10L, 1000L)));
    store.apply(List.of(walWritten("b1", "acme", 5, 99L, 10L, 2000L)));

    assertThat(find(store, "b1")).extracting(BatchRecord::retryCount, BatchRecord::partition,
            BatchRecord::firstOffset, BatchRecord::lastOffset, BatchRecord::createdAt, BatchRecord::walWrittenAt)
        .containsExactly(1, 3, 42L, 42L, 1000L, 1005L);

    store.apply(List.of(walWritten("b1", "acme", 6, 120L, 10L, 3000L)));
    assertThat(find(store, "b1").retryCount()).isEqualTo(2);
  }

  @OnBothBackends
  void aBatchThatFailedToDecodeIsNeitherStoredNorCompleted(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(
        checkpointed("job-1", 5L, member("poison", "acme", "logs"), member("good", "acme", "logs")),
        new Failed("poison", "acme", "logs", BatchEvent.SOURCE_RECEIVER, "ingested", "cannot decode", 500L)));
    store.recordCommit("acme", "logs", "job-1", 5L, 1L, 1_000L);
    store.completeStored(2_000L);

    assertThat(find(store, "good").stage()).isEqualTo("completed");
    assertThat(find(store, "poison")).extracting(BatchRecord::stage, BatchRecord::errorStage)
        .containsExactly("seen", "ingested");
  }

  @OnBothBackends
  void aCommitMarksStoredExactlyTheBatchesOfItsTenantSignalAndJobUpToItsCheckpoint(String backend)
      throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(
        checkpointed("job-1", 5L, member("earlier", "acme", "logs"), member("other-tenant", "beta", "logs"),
            member("other-signal", "acme", "traces")),
        checkpointed("job-1", 7L, member("at-commit", "acme", "logs")),
        checkpointed("job-1", 8L, member("after-commit", "acme", "logs")),
        checkpointed("job-2", 5L, member("other-job", "acme", "logs"))));

    assertThat(store.recordCommit("acme", "logs", "job-1", 7L, 1234L, 10_000L)).isEqualTo(2);

    for (String batchId : List.of("earlier", "at-commit")) {
      assertThat(find(store, batchId)).as(batchId).extracting(BatchRecord::storedAt, BatchRecord::snapshotId,
          BatchRecord::stage).containsExactly(10_000L, 1234L, "stored");
    }
    for (String batchId : List.of("other-tenant", "other-signal", "after-commit", "other-job")) {
      assertThat(find(store, batchId)).as(batchId).extracting(BatchRecord::storedAt, BatchRecord::snapshotId)
          .containsExactly(null, null);
    }
  }

  @OnBothBackends
  void aCheckpointReportedAfterItsCommitIsMarkedStoredByMarkStored(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.recordCommit("acme", "logs", "job-1", 7L, 1234L, 10_000L);
    store.apply(List.of(checkpointed("job-1", 6L, member("late", "acme", "logs")),
        checkpointed("job-1", 8L, member("not-yet-committed", "acme", "logs"))));
    assertThat(find(store, "late").isStored()).isFalse();

    assertThat(store.markStored(20_000L)).isEqualTo(1);
    assertThat(find(store, "late")).extracting(BatchRecord::storedAt, BatchRecord::snapshotId)
        .containsExactly(20_000L, 1234L);
    assertThat(find(store, "not-yet-committed").isStored()).isFalse();
    assertThat(store.markStored(30_000L)).isZero();
  }

  @OnBothBackends
  void aBatchTakesTheLaterCheckpointOfAJobAnotherJobsAndIsFrozenOnceStored(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(checkpointed("job-1", 5L, member("b1", "acme", "logs"))));
    store.apply(List.of(checkpointed("job-1", 6L, member("b1", "acme", "logs"))));
    store.apply(List.of(checkpointed("job-1", 4L, member("b1", "acme", "logs"))));
    assertThat(find(store, "b1")).extracting(BatchRecord::flinkJobId, BatchRecord::checkpointId)
        .containsExactly("job-1", 6L);

    store.apply(List.of(checkpointed("job-2", 2L, member("b1", "acme", "logs"))));
    assertThat(find(store, "b1")).extracting(BatchRecord::flinkJobId, BatchRecord::checkpointId)
        .containsExactly("job-2", 2L);

    store.recordCommit("acme", "logs", "job-2", 2L, 77L, 10_000L);
    store.apply(List.of(checkpointed("job-3", 9L, member("b1", "acme", "logs"))));
    assertThat(find(store, "b1")).extracting(BatchRecord::flinkJobId, BatchRecord::checkpointId,
        BatchRecord::snapshotId, BatchRecord::storedAt).containsExactly("job-2", 2L, 77L, 10_000L);
  }

  @OnBothBackends
  void aBatchIngestedAsNoRowsIsStoredAtOnce(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(ingested("empty", "acme", 0L, 500L), ingested("full", "acme", 3L, 500L)));

    assertThat(find(store, "empty")).extracting(BatchRecord::storedAt, BatchRecord::stage)
        .containsExactly(500L, "stored");
    assertThat(find(store, "full")).extracting(BatchRecord::storedAt, BatchRecord::stage)
        .containsExactly(null, "ingested");
  }

  @OnBothBackends
  void onlyStoredBatchesCompleteAndOnlyOldCompletedOnesAreForgotten(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(ingested("completed-early", "acme", 0L, 100L), ingested("unstored", "acme", 5L, 100L)));
    assertThat(store.completeStored(1000L)).isEqualTo(1);
    store.apply(List.of(ingested("completed-late", "acme", 0L, 200L)));
    assertThat(store.completeStored(3000L)).isEqualTo(1);

    assertThat(find(store, "completed-early").completedAt()).isEqualTo(1000L);
    assertThat(find(store, "completed-late").completedAt()).isEqualTo(3000L);
    assertThat(find(store, "unstored").isCompleted()).isFalse();

    assertThat(store.forgetCompleted(2000L)).isEqualTo(1);
    assertThat(store.find("completed-early")).isEmpty();
    assertThat(store.find("completed-late")).isPresent();
    assertThat(store.find("unstored")).isPresent();
  }

  @OnBothBackends
  void listFiltersByStatusTenantAndAge(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    seedOneBatchPerStage(store);

    assertThat(ids(store.list("all", null, ANY_TIME, 100)))
        .containsExactly("beta-completed", "acme-wal", "acme-ingested", "acme-stored", "acme-failed");
    assertThat(ids(store.list("pending", null, ANY_TIME, 100)))
        .containsExactly("acme-wal", "acme-ingested", "acme-stored", "acme-failed");
    assertThat(store.list("failed", null, ANY_TIME, 100))
        .extracting(BatchRecord::batchId, BatchRecord::errorStage, BatchRecord::errorMessage)
        .containsExactly(tuple("acme-failed", "ingested", "cannot decode"));
    assertThat(ids(store.list("created", null, ANY_TIME, 100))).isEmpty();
    assertThat(ids(store.list("wal_written", null, ANY_TIME, 100))).containsExactly("acme-wal", "acme-failed");
    assertThat(ids(store.list("ingested", null, ANY_TIME, 100))).containsExactly("acme-ingested");
    assertThat(ids(store.list("stored", null, ANY_TIME, 100))).containsExactly("acme-stored");
    assertThat(ids(store.list("completed", null, ANY_TIME, 100))).containsExactly("beta-completed");

    assertThat(ids(store.list("all", "beta", ANY_TIME, 100))).containsExactly("beta-completed");
    assertThat(ids(store.list("pending", "beta", ANY_TIME, 100))).isEmpty();
    assertThat(ids(store.list("all", null, 5000L, 100))).containsExactly("beta-completed", "acme-wal",
        "acme-ingested");
    assertThat(ids(store.list("all", null, ANY_TIME, 2))).containsExactly("beta-completed", "acme-wal");
    assertThat(store.countPending(ANY_TIME)).isEqualTo(4);
    assertThat(store.countPending(5000L)).isEqualTo(2);

    assertThatThrownBy(() -> store.list("bogus", null, ANY_TIME, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bogus'")
        .hasMessageContaining("pending, failed, lost, all")
        .hasMessageContaining("created, wal_written, ingested, stored, indexed, completed");
  }

  @OnBothBackends
  void statusCountsStagesPerTenantAndTheFlowWithinTheWindow(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    seedOneBatchPerStage(store);

    BatchStore.Status status = store.status(6000L, 2000L);

    assertThat(status.windowMs()).isEqualTo(2000L);
    assertThat(status.tenants()).containsOnlyKeys("acme", "beta");
    assertThat(status.tenants().get("acme")).isEqualTo(new Counts(4, stageCounts(4, 4, 2, 1, 0, 0), 4, 1, 0,
        new Flow(3, 20 + 30 + 40, (20 + 30 + 40) * 100, 1, 30), 1000L));
    assertThat(status.tenants().get("beta")).isEqualTo(new Counts(1, stageCounts(1, 1, 1, 1, 0, 1), 0, 0, 0,
        new Flow(0, 0, 0, 0, 0), null));
  }

  @OnBothBackends
  void aLostOffsetRangeMarksTheReceiverBatchesWrittenThereLostAndNoLongerPending(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(
        walWritten("before", "acme", 0, 9L, 10L, 1000L),
        walWritten("first", "acme", 0, 10L, 10L, 1001L),
        walWritten("last", "acme", 0, 12L, 10L, 1002L),
        walWritten("after", "acme", 0, 13L, 10L, 1003L),
        walWritten("other-partition", "acme", 1, 11L, 10L, 1004L),
        walWritten("stored-by-a-retry", "beta", 0, 11L, 10L, 1005L),
        ingested("stored-by-a-retry", "beta", 0L, 1100L)));

    store.apply(List.of(new BatchEvent.WalLost("openwit-logs", 0, 10L, 12L, 5000L)));
    // a loss reported again (the job restarted before a checkpoint) keeps the first time
    store.apply(List.of(new BatchEvent.WalLost("openwit-logs", 0, 10L, 12L, 6000L)));

    assertThat(store.list("lost", null, ANY_TIME, 100))
        .extracting(BatchRecord::batchId, BatchRecord::lostAt)
        .containsExactly(tuple("first", 5000L), tuple("last", 5000L));
    assertThat(find(store, "before").lostAt()).isNull();
    assertThat(find(store, "stored-by-a-retry").lostAt()).isNull();
    assertThat(ids(store.list("pending", "acme", ANY_TIME, 100))).containsExactly("before", "after", "other-partition");
    assertThat(store.countPending(ANY_TIME)).isEqualTo(4);
    Counts acme = store.status(6000L, 2000L).tenants().get("acme");
    assertThat(acme).extracting(Counts::total, Counts::pending, Counts::lost, Counts::oldestPendingSeenAt)
        .containsExactly(5L, 3L, 2L, 1000L);
  }

  @OnBothBackends
  void aLostOffsetRangeAppliesToBatchesWrittenInTheSameWrite(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(new BatchEvent.WalLost("openwit-logs", 0, 10L, 12L, 5000L),
        walWritten("first", "acme", 0, 10L, 10L, 1000L)));

    assertThat(find(store, "first").lostAt()).isEqualTo(5000L);
  }

  @OnBothBackends
  void aLaterConsumedReportOfTheSameBatchExtendsItsOffsets(String backend) throws Exception {
    BatchStore store = migrated(backend).batches();
    store.apply(List.of(new Consumed("ext-1", "acme", "logs", "external-logs", 2, 100L, 150L, "json", 5000L, 51L,
        1000L)));
    store.apply(List.of(new Consumed("ext-1", "acme", "logs", "external-logs", 2, 100L, 200L, "json", 9000L, 101L,
        1000L)));

    assertThat(find(store, "ext-1")).extracting(BatchRecord::source, BatchRecord::stage, BatchRecord::topics,
            BatchRecord::partition, BatchRecord::firstOffset, BatchRecord::lastOffset, BatchRecord::messageCount,
            BatchRecord::batchSize, BatchRecord::walWrittenAt, BatchRecord::retryCount)
        .containsExactly("kafka", "wal_written", "external-logs", 2, 100L, 200L, 101L, 9000L, 1000L, 0);
  }

  @Test
  void theTrackerWritesReportsWithinAFewFlushIntervals() throws Exception {
    Metastore metastore = migrated("sqlite");
    BatchStore store = metastore.batches();
    try (AsyncBatchTracker tracker = new AsyncBatchTracker(metastore, tracking(50L, 1000))) {
      tracker.report(walWritten("t1", "acme", 0, 1L, 10L, 1000L));
      tracker.report(walWritten("t2", "acme", 0, 2L, 10L, 1000L));
      tracker.report(ingested("t1", "acme", 10L, 1100L));

      awaitUntil("both batches written", () -> store.find("t1").filter(b -> b.ingestedAt() != null).isPresent()
          && store.find("t2").isPresent());
    }
    assertThat(find(store, "t1").stage()).isEqualTo("ingested");
    assertThat(find(store, "t2").stage()).isEqualTo("wal_written");
  }

  @Test
  void closingTheTrackerWritesWhatIsQueued() throws Exception {
    Metastore metastore = migrated("sqlite");
    BatchStore store = metastore.batches();
    try (AsyncBatchTracker tracker = new AsyncBatchTracker(metastore, tracking(200L, 1000))) {
      tracker.report(walWritten("written", "acme", 0, 1L, 10L, 1000L));
      awaitUntil("the first report written", () -> store.find("written").isPresent());
      // the writer now waits a flush interval before it looks at the queue again
      tracker.report(walWritten("queued", "acme", 0, 2L, 10L, 1000L));
    }
    assertThat(store.find("queued")).isPresent();
  }

  @Test
  void anEventTheMetastoreRefusesIsDroppedAloneAndTrackingGoesOn() throws Exception {
    Metastore metastore = migrated("sqlite");
    BatchStore store = metastore.batches();
    double droppedBefore = droppedEvents();
    try (AsyncBatchTracker tracker = new AsyncBatchTracker(metastore, tracking(50L, 1000))) {
      tracker.report(walWritten("before", "acme", 0, 1L, 10L, 1000L));
      tracker.report(walWritten(null, "acme", 0, 2L, 10L, 1000L));
      tracker.report(walWritten("beside", "acme", 0, 3L, 10L, 1000L));
      awaitUntil("the good reports of the same write", () -> store.find("before").isPresent()
          && store.find("beside").isPresent());
      tracker.report(walWritten("after", "acme", 0, 4L, 10L, 1000L));
      awaitUntil("a later report", () -> store.find("after").isPresent());
    }
    assertThat(droppedEvents() - droppedBefore).isEqualTo(1);
  }

  @Test
  void anUnreachableMetastoreNeverBlocksReportsAndDropsWhatDoesNotFitTheQueue() {
    int capacity = 100;
    int reports = 10_000;
    Metastore unreachable = new Metastore("jdbc:postgresql://127.0.0.1:1/nothing", "postgres", "");
    double droppedBefore = droppedEvents();
    try (AsyncBatchTracker tracker = new AsyncBatchTracker(unreachable, tracking(50L, capacity))) {
      long start = System.nanoTime();
      for (int i = 0; i < reports; i++) {
        tracker.report(walWritten("b" + i, "acme", 0, i, 1L, 1000L));
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

      assertThat(elapsed).isLessThan(Duration.ofSeconds(2));
      // the writer takes at most a queue's worth per flush interval: nearly all reports were dropped
      assertThat(droppedEvents() - droppedBefore).isGreaterThanOrEqualTo(reports - 10.0 * capacity);
    }
  }

  /**
   * Per tenant, one batch whose furthest stage is each of wal_written, ingested, stored, completed,
   * and one failed; times in milliseconds, each batch's items ×100 bytes.
   */
  private static void seedOneBatchPerStage(BatchStore store) {
    store.apply(List.of(walWritten("beta-completed", "beta", 0, 1L, 50L, 900L),
        ingested("beta-completed", "beta", 0L, 950L)));
    store.completeStored(1000L);
    store.apply(List.of(
        walWritten("acme-wal", "acme", 0, 10L, 10L, 1000L),
        walWritten("acme-ingested", "acme", 0, 11L, 20L, 5000L),
        ingested("acme-ingested", "acme", 20L, 5100L),
        walWritten("acme-stored", "acme", 0, 12L, 30L, 5200L),
        ingested("acme-stored", "acme", 0L, 5300L),
        walWritten("acme-failed", "acme", 0, 13L, 40L, 5400L),
        new Failed("acme-failed", "acme", "logs", BatchEvent.SOURCE_RECEIVER, "ingested", "cannot decode", 5500L)));
  }

  private static Map<String, Long> stageCounts(long... counts) {
    Map<String, Long> stages = new LinkedHashMap<>();
    for (int i = 0; i < counts.length; i++) {
      stages.put(BatchStore.STAGES.get(i), counts[i]);
    }
    return stages;
  }

  /** Accepted at {@code createdAt}, acknowledged by Kafka 5 ms later. */
  private static WalWritten walWritten(String batchId, String tenant, int partition, long offset, long items,
      long createdAt) {
    return new WalWritten(batchId, tenant, "logs", "openwit-logs", partition, offset, "protobuf", items * 100, items,
        createdAt, createdAt + 5);
  }

  private static Ingested ingested(String batchId, String tenant, long rows, long at) {
    return new Ingested(batchId, tenant, "logs", BatchEvent.SOURCE_RECEIVER, rows, at);
  }

  private static Checkpointed checkpointed(String jobId, long checkpointId, Member... batches) {
    return new Checkpointed(List.of(batches), jobId, checkpointId, 1L);
  }

  private static Member member(String batchId, String tenant, String signal) {
    return new Member(batchId, tenant, signal, BatchEvent.SOURCE_RECEIVER);
  }

  private static BatchRecord find(BatchStore store, String batchId) {
    return store.find(batchId).orElseThrow(() -> new AssertionError("no batch " + batchId));
  }

  private static List<String> ids(List<BatchRecord> records) {
    return records.stream().map(BatchRecord::batchId).toList();
  }

  private static OpenWitConfig.BatchTracking tracking(long flushIntervalMs, int queueCapacity) {
    return new OpenWitConfig.BatchTracking(true, flushIntervalMs, queueCapacity, 600_000L, 1000L);
  }

  private static double droppedEvents() {
    return ProcessMetrics.registry().counter("openwit_batch_events_dropped").count();
  }

  private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out waiting until %s", what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private Metastore migrated(String backend) throws Exception {
    return metastores.migrated(backend, dataDir);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    metastores.close();
  }
}
