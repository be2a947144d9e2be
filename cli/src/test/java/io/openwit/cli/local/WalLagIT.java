package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.openwit.catalog.batch.WalLag;
import io.openwit.cli.OpenWit;
import io.openwit.common.config.OpenWitConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The ingest job's lag behind the write-ahead log, measured on the real Kafka broker: records its
 * consumer group has not committed, the age of the oldest of them, their export on {@code /metrics}
 * and the warning of {@code openwit batches status}.
 */
class WalLagIT {
  private static final long HOUR_MS = 3_600_000;

  @Test
  void countsTheRecordsAfterTheGroupsCommittedOffsetAndAgesTheRecordThere() throws Exception {
    OpenWitConfig config = ownTopics();
    String traces = config.ingestion().kafka().topics().traces();
    long now = System.currentTimeMillis();
    try (Admin admin = Admin.create(config.ingestion().kafka().clientConfig())) {
      admin.createTopics(List.of(new NewTopic(traces, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
      // partition 0: 10 records an hour old, a second apart; partition 1: 3 records a minute old
      produce(config, traces, 0, 10, now - HOUR_MS);
      produce(config, traces, 1, 3, now - 60_000);
      admin.alterConsumerGroupOffsets(config.pipeline().consumerGroup(), Map.of(
          new TopicPartition(traces, 0), new OffsetAndMetadata(4),
          new TopicPartition(traces, 1), new OffsetAndMetadata(3))).all().get(30, TimeUnit.SECONDS);
    }

    try (WalLag lag = new WalLag(config)) {
      WalLag.TopicLag measured = topic(lag.measure(now), traces);

      assertThat(measured.records()).isEqualTo(6);
      // the record at committed offset 4 was written 4 s after the first
      assertThat(measured.oldestAgeSeconds()).isCloseTo(3_596, within(0.01));
    }
  }

  @Test
  void aGroupWithoutOffsetsHasEveryRecordKafkaHoldsStillToProcess() throws Exception {
    OpenWitConfig config = ownTopics();
    String logs = config.ingestion().kafka().topics().logs();
    long now = System.currentTimeMillis();
    try (Admin admin = Admin.create(config.ingestion().kafka().clientConfig())) {
      admin.createTopics(List.of(new NewTopic(logs, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    produce(config, logs, 0, 5, now - 2 * HOUR_MS);

    try (WalLag lag = new WalLag(config)) {
      WalLag.TopicLag measured = topic(lag.measure(now), logs);

      assertThat(measured.records()).isEqualTo(5);
      assertThat(measured.oldestAgeSeconds()).isCloseTo(7_200, within(0.01));
    }
  }

  @Test
  void theIngestJobCommitsItsOffsetsOnCheckpointsSoItsLagDrains() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of());
        WalLag lag = new WalLag(openWit.config)) {
      String traces = openWit.config.ingestion().kafka().topics().traces();
      new SdkSpans(openWit.tracesEndpoint()).asService("lagging", tracer -> SdkSpans.simpleSpans(tracer, 300));
      assertThat(openWit.awaitSpanCount(300, Duration.ofMinutes(2))).isEqualTo(300);

      Await.until(() -> topic(lag.measure(System.currentTimeMillis()), traces).records() == 0,
          Duration.ofSeconds(30), "the ingest job's committed offsets reaching the end of " + traces);
      try (Admin admin = Admin.create(openWit.config.ingestion().kafka().clientConfig())) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(openWit.config.pipeline().consumerGroup())
            .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertThat(committed.entrySet().stream().filter(entry -> entry.getKey().topic().equals(traces))
            .mapToLong(entry -> entry.getValue().offset()).sum()).isPositive();
      }
    }
  }

  @Test
  void metricsExportTheLagAndBatchesStatusWarnsPastHalfTheRetention() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.startWithoutJobs(Metastores.SQLITE,
        Map.of("ingestion.kafka.wal_retention_ms", Long.toString(HOUR_MS)))) {
      String traces = openWit.config.ingestion().kafka().topics().traces();
      String catalog = openWit.config.catalogUri();
      // 40 minutes old and unread: more than half of the hour Kafka keeps them
      produce(openWit.config, traces, 0, 3, System.currentTimeMillis() - 40 * 60_000);

      Map<String, String> topic = Map.of("topic", traces);
      Await.until(
          () -> PrometheusText.scrape(catalog + "/metrics").value("openwit_wal_consumer_lag_records", topic) == 3,
          Duration.ofSeconds(30), "the catalog exporting the lag of " + traces);
      assertThat(PrometheusText.scrape(catalog + "/metrics")
          .value("openwit_wal_oldest_unprocessed_age_seconds", topic)).isBetween(2_398.0, 2_500.0);

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exitCode = new CommandLine(new OpenWit()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
          .execute("batches", "status", "--config", openWit.config.dataPath().resolve("openwit.yaml").toString());

      assertThat(exitCode).isZero();
      assertThat(err.toString()).contains("WARNING: topic " + traces + " holds 3 records the pipeline has not"
          + " processed, the oldest 0.7 h old: more than half of ingestion.kafka.wal_retention_ms (1.0 h)");
      assertThat(out.toString()).contains("\"stages\"");
    }
  }

  /** A configuration on the shared broker with topics and a consumer group of its own. */
  private static OpenWitConfig ownTopics() {
    String name = UUID.randomUUID().toString().substring(0, 8);
    SharedEngines engines = SharedEngines.get();
    Path dataDir = engines.root.resolve("wal-lag-" + name);
    return SharedEngines.config(dataDir, Map.of(
        "ingestion.kafka.bootstrap_servers", engines.kafka.bootstrapServers(),
        "ingestion.kafka.topics.traces", "traces-" + name,
        "ingestion.kafka.topics.logs", "logs-" + name,
        "ingestion.kafka.topics.metrics", "metrics-" + name,
        "pipeline.consumer_group", "ingest-" + name));
  }

  /** {@code count} records to {@code partition}, timestamped a second apart from {@code firstTimestamp}. */
  private static void produce(OpenWitConfig config, String topic, int partition, int count, long firstTimestamp)
      throws Exception {
    Properties properties = config.ingestion().kafka().clientConfig();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, partition, firstTimestamp + i * 1_000L, null, new byte[] {1}))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static WalLag.TopicLag topic(List<WalLag.TopicLag> lags, String topic) {
    return lags.stream().filter(lag -> lag.topic().equals(topic)).findFirst()
        .orElseThrow(() -> new AssertionError("no lag measured for " + topic + " in " + lags));
  }
}
