package io.openwit.catalog.batch;

import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.observe.DaemonThreads;
import io.openwit.common.observe.ProcessMetrics;
import io.openwit.common.wire.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the ingest job is behind the write-ahead log: per WAL topic, the records its consumer
 * group ({@code pipeline.consumer_group}) has not committed (Flink's Kafka source commits its
 * offsets when a checkpoint completes, as the Iceberg commit does), and how old the oldest of them
 * is: past {@code ingestion.kafka.wal_retention_ms}, Kafka deletes it unread. Measured on a timer
 * and kept, so neither a scrape nor the API waits on Kafka; exported as
 * {@code openwit_wal_consumer_lag_records{topic}} and
 * {@code openwit_wal_oldest_unprocessed_age_seconds{topic}}, and served at
 * {@code /api/batch-monitor/wal}.
 */
public final class WalLag implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalLag.class);
  public static final String PATH = "/api/batch-monitor/wal";
  private static final long REFRESH_MS = 10_000;
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

  /**
   * One topic: {@code records} not yet committed by the group, the oldest of them
   * {@code oldestAgeSeconds} old (0 with none).
   */
  public record TopicLag(String topic, long records, double oldestAgeSeconds) {}

  private record Measurement(Instant at, List<TopicLag> topics) {}

  private final String group;
  private final List<String> walTopics;
  private final long retentionMs;
  private final Properties clientConfig;
  /** Made at the first measurement: a broker name that does not resolve yet must not stop the catalog's start. */
  private Admin admin;
  /** Reads the timestamp of the record at a committed offset; used by one thread at a time. */
  private KafkaConsumer<byte[], byte[]> reader;
  private final MultiGauge lagGauge;
  private final MultiGauge ageGauge;
  private ScheduledExecutorService timer;
  private volatile Measurement last;
  private volatile String lastFailure = "not measured yet";

  /** Measures only when asked ({@link #measure}); {@link #start} also measures on a timer. */
  public WalLag(OpenWitConfig config) {
    OpenWitConfig.Kafka kafka = config.ingestion().kafka();
    this.group = config.pipeline().consumerGroup();
    this.walTopics = Arrays.stream(Signal.values()).map(kafka.topics()::of).toList();
    this.retentionMs = kafka.walRetentionMs();
    this.clientConfig = kafka.clientConfig();
    this.lagGauge = MultiGauge.builder("openwit.wal.consumer.lag.records")
        .description("Records of a WAL topic the ingest job's consumer group has not committed yet")
        .register(ProcessMetrics.registry());
    this.ageGauge = MultiGauge.builder("openwit.wal.oldest.unprocessed.age.seconds")
        .description("Age of the oldest record of a WAL topic the ingest job has not committed yet (0 with none);"
            + " Kafka deletes records older than ingestion.kafka.wal_retention_ms")
        .register(ProcessMetrics.registry());
  }

  public static WalLag start(OpenWitConfig config) {
    WalLag lag = new WalLag(config);
    lag.timer = DaemonThreads.scheduler("openwit-wal-lag");
    lag.timer.scheduleWithFixedDelay(lag::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
    return lag;
  }

  private void refresh() {
    try {
      List<TopicLag> topics = measure(System.currentTimeMillis());
      last = new Measurement(Instant.now(), topics);
      lagGauge.register(topics.stream().map(topic -> MultiGauge.Row.of(Tags.of("topic", topic.topic()),
          topic.records())).collect(Collectors.toList()), true);
      ageGauge.register(topics.stream().map(topic -> MultiGauge.Row.of(Tags.of("topic", topic.topic()),
          topic.oldestAgeSeconds())).collect(Collectors.toList()), true);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      lastFailure = e.toString();
      LOG.warn("WAL lag not measured: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The lag of every WAL topic (and of any other topic the group has committed offsets in) at
   * {@code nowMs}. A partition the group has no offset in counts from the log's start, as the job
   * starts there; a topic that does not exist yet is left out.
   */
  public synchronized List<TopicLag> measure(long nowMs)
      throws ExecutionException, InterruptedException, TimeoutException {
    if (admin == null) {
      admin = Admin.create(clientConfig);
      Properties readerProperties = new Properties();
      readerProperties.putAll(clientConfig);
      readerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      readerProperties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
      reader = new KafkaConsumer<>(readerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>(admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    // a partition without a committed offset appears with a null value
    committed.values().removeIf(Objects::isNull);
    Set<String> topics = new TreeSet<>(walTopics);
    committed.keySet().forEach(partition -> topics.add(partition.topic()));
    List<TopicPartition> partitions = new ArrayList<>();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : admin.describeTopics(topics).topicNameValues()
        .entrySet()) {
      try {
        topic.getValue().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).partitions()
            .forEach(partition -> partitions.add(new TopicPartition(topic.getKey(), partition.partition())));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
    }
    Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
    Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
    Map<String, long[]> records = new TreeMap<>();
    Map<String, Long> oldestTimestamp = new HashMap<>();
    for (TopicPartition partition : partitions) {
      long from = Math.max(earliest.get(partition),
          committed.containsKey(partition) ? committed.get(partition).offset() : 0);
      long unprocessed = Math.max(0, end.get(partition) - from);
      records.computeIfAbsent(partition.topic(), topic -> new long[1])[0] += unprocessed;
      if (unprocessed > 0) {
        long timestamp = timestampAt(partition, from);
        oldestTimestamp.merge(partition.topic(), timestamp, Math::min);
      }
    }
    List<TopicLag> lags = new ArrayList<>();
    records.forEach((topic, count) -> lags.add(new TopicLag(topic, count[0],
        oldestTimestamp.containsKey(topic) ? Math.max(0, nowMs - oldestTimestamp.get(topic)) / 1000.0 : 0)));
    return lags;
  }

  private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec)
      throws ExecutionException, InterruptedException, TimeoutException {
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin
        .listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(), partition -> spec)))
        .all().get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> offsets = new HashMap<>();
    found.forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  /** The timestamp of the first record at or after {@code offset} in {@code partition}. */
  private long timestampAt(TopicPartition partition, long offset) throws TimeoutException {
    reader.assign(List.of(partition));
    reader.seek(partition, offset);
    long deadline = System.nanoTime() + KAFKA_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(500))) {
        return record.timestamp();
      }
    }
    throw new TimeoutException("could not read offset " + offset + " of " + partition + " within "
        + KAFKA_TIMEOUT.toSeconds() + " s");
  }

  /**
   * {@code GET /api/batch-monitor/wal}: each topic's lag as last measured, and whether its oldest
   * unprocessed record is older than half the retention (at risk of deletion before it is read).
   */
  public void addTo(ServerBuilder server) {
    server.route().get(PATH).build((ctx, request) -> {
      Measurement measured = last;
      if (measured == null) {
        return ApiResponses.error(HttpStatus.SERVICE_UNAVAILABLE, "WAL lag not measured: " + lastFailure);
      }
      List<Map<String, Object>> topics = new ArrayList<>();
      for (TopicLag topic : measured.topics()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("topic", topic.topic());
        entry.put("lag_records", topic.records());
        entry.put("oldest_unprocessed_age_seconds", topic.oldestAgeSeconds());
        entry.put("at_risk", atRisk(topic));
        topics.add(entry);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("consumer_group", group);
      body.put("wal_retention_ms", retentionMs);
      body.put("measured_at", measured.at().toString());
      body.put("topics", topics);
      return ApiResponses.ok(body);
    });
  }

  /** Older than half the retention: the pipeline has that long left before Kafka deletes it unread. */
  boolean atRisk(TopicLag topic) {
    return topic.oldestAgeSeconds() * 1000 > retentionMs / 2.0;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      try {
        timer.awaitTermination(KAFKA_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // a later instance (a restarted catalog in this JVM) registers its own rows
    lagGauge.register(List.of(), true);
    ageGauge.register(List.of(), true);
    if (admin != null) {
      reader.close();
      admin.close(KAFKA_TIMEOUT);
    }
  }
}
