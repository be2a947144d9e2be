package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.wire.RecordHeaders;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Records Kafka deletes while the ingest job is down (as retention would, here by deleteRecords)
 * are not skipped silently: the next job, whether it resumes from a checkpoint or starts afresh
 * from the consumer group's committed offsets, counts them in {@code openwit_wal_offsets_lost} (and
 * logs an ERROR naming the range), marks the receiver batches written there lost in the batch
 * tracker, and goes on with what Kafka still holds. One OpenWit serves both cases, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LostWalOffsetsIT {
  private static final int SPANS_PER_RECORD = 10;
  private static OpenWitUnderTest openWit;
  private static String api;
  private static long spansStored;

  @BeforeAll
  static void start() {
    openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of("batch_tracking.flush_interval_ms", "200"));
    api = openWit.config.catalogUri() + "/api/batch-monitor";
  }

  @AfterAll
  static void stop() throws Exception {
    openWit.close();
  }

  @Test
  @Order(1)
  void recordsDeletedBeforeTheJobResumingFromItsCheckpointReadThemAreCountedAndTheJobGoesOn() throws Exception {
    TopicPartition partition = new TopicPartition(tracesTopic(), 0);
    long lastRead;
    try (KafkaProducer<byte[], byte[]> producer = producer(openWit)) {
      send(producer, partition, "read-0");
      send(producer, partition, "read-1");
      lastRead = send(producer, partition, "read-2");
      awaitSpansStored(3);
      openWit.cancelIngestJob();

      for (int i = 0; i < 4; i++) {
        send(producer, partition, "deleted-" + i);
      }
      long firstKept = send(producer, partition, "kept-0");
      send(producer, partition, "kept-1");
      try (Admin admin = Admin.create(openWit.config.ingestion().kafka().clientConfig())) {
        admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(firstKept))).all().get();
      }
      assertThat(firstKept - lastRead - 1).isEqualTo(4);
    }

    openWit.startIngestJob();
    awaitSpansStored(2);
    assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE name LIKE 'kept-%'"))
        .isEqualTo(2 * SPANS_PER_RECORD);
    awaitLostOffsetsCounted(4);
  }

  /**
   * The job is cancelled and its checkpoints discarded, so the next starts from the consumer
   * group's committed offsets; batches the receiver wrote meanwhile are deleted before it reads them.
   */
  @Test
  @Order(2)
  void recordsDeletedBeforeAFreshJobReadThemAreCountedAndTheirBatchesMarkedLost() throws Exception {
    String topic = tracesTopic();
    List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
    Set<String> written;
    try (KafkaProducer<byte[], byte[]> producer = producer(openWit);
        Admin admin = Admin.create(openWit.config.ingestion().kafka().clientConfig())) {
      // the group commits an offset only for a partition the job read from
      for (TopicPartition partition : partitions) {
        send(producer, partition, "committed-" + partition.partition());
      }
      awaitSpansStored(partitions.size());
      String group = openWit.config.pipeline().consumerGroup();
      Await.until(() -> partitions.stream().allMatch(partition -> committed(admin, group, partition)
              == endOffset(admin, partition)), Duration.ofSeconds(30),
          "the group's offsets committed past what the job stored");
      openWit.cancelIngestJob();
      FileUtils.deleteDirectory(LocalFlink.checkpointRoot(openWit.config).toFile());

      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      for (int i = 0; i < 4; i++) {
        sdk.asService("lost-" + i, tracer -> SdkSpans.simpleSpans(tracer, SPANS_PER_RECORD));
      }
      Await.until(() -> waitingItems() == 4 * SPANS_PER_RECORD, Duration.ofSeconds(30),
          "the four batches written while the job is down tracked as wal_written");
      written = ids(HttpApi.getJson(api + "/batches?status=wal_written"));
      Map<TopicPartition, RecordsToDelete> everything = new HashMap<>();
      for (TopicPartition partition : partitions) {
        everything.put(partition, RecordsToDelete.beforeOffset(endOffset(admin, partition)));
      }
      admin.deleteRecords(everything).all().get();
      for (TopicPartition partition : partitions) {
        send(producer, partition, "kept-after-" + partition.partition());
      }
    }

    openWit.startIngestJob();
    awaitSpansStored(partitions.size());
    awaitLostOffsetsCounted(written.size());
    Await.until(() -> ids(HttpApi.getJson(api + "/batches?status=lost")).equals(written), Duration.ofSeconds(30),
        "the batches written while the job was down marked lost");
    JsonNode status = HttpApi.getJson(api + "/status");
    assertThat(status.path("lost").asLong()).isEqualTo(written.size());
    assertThat(status.path("pending").asLong()).isZero();

    HttpApi.Run cliStatus = HttpApi.cli("batches", "status", "--catalog", openWit.config.catalogUri(),
        "--config", openWit.config.dataPath().resolve("openwit.yaml").toString());
    assertThat(cliStatus.exitCode()).as(cliStatus.err()).isZero();
    assertThat(new ObjectMapper().readTree(cliStatus.out()).path("lost").asLong()).isEqualTo(written.size());
    assertThat(cliStatus.err()).contains(written.size() + " batches LOST");
    HttpApi.Run show = HttpApi.cli("batches", "show", written.iterator().next(), "--catalog",
        openWit.config.catalogUri());
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(new ObjectMapper().readTree(show.out()).hasNonNull("lost_at")).as(show.out()).isTrue();
  }

  private static String tracesTopic() {
    return openWit.config.ingestion().kafka().topics().traces();
  }

  /** Waits until {@code records} more records of ten spans each are stored. */
  private static void awaitSpansStored(int records) throws Exception {
    spansStored += (long) records * SPANS_PER_RECORD;
    assertThat(openWit.awaitSpanCount(spansStored, Duration.ofMinutes(2))).isEqualTo(spansStored);
  }

  private static void awaitLostOffsetsCounted(long lost) throws Exception {
    String job = openWit.ingestJob.toString();
    Await.until(() -> PrometheusText.flinkJob(job).value("flink_taskmanager_job_task_operator_openwit_wal_offsets_lost",
        Map.of("job_id", job)) == lost, Duration.ofSeconds(30), lost + " deleted offsets counted as lost");
  }

  private static long waitingItems() throws Exception {
    return HttpApi.elements(HttpApi.getJson(api + "/batches?status=wal_written").path("batches")).stream()
        .mapToLong(batch -> batch.path("message_count").asLong()).sum();
  }

  private static Set<String> ids(JsonNode listing) {
    return HttpApi.elements(listing.path("batches")).stream().map(batch -> batch.path("batch_id").asText())
        .collect(Collectors.toSet());
  }

  private static long endOffset(Admin admin, TopicPartition partition) {
    try {
      return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The group's committed offset in {@code partition}, -1 without one. */
  private static long committed(Admin admin, String group, TopicPartition partition) {
    try {
      OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
          .get(partition);
      return offset == null ? -1 : offset.offset();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }


  private static KafkaProducer<byte[], byte[]> producer(OpenWitUnderTest openWit) {
    Properties properties = openWit.config.ingestion().kafka().clientConfig();
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** One record of ten spans named {@code <name>-<i>}, with the receiver's headers; returns its offset. */
  private static long send(KafkaProducer<byte[], byte[]> producer, TopicPartition partition, String name)
      throws Exception {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < SPANS_PER_RECORD; i++) {
      byte[] traceId = new byte[16];
      ThreadLocalRandom.current().nextBytes(traceId);
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i})).setName(name + "-" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_001_000_000L));
    }
    byte[] value = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope)).build().toByteArray();
    List<Header> headers = List.of(header(RecordHeaders.TENANT, "default"), header(RecordHeaders.SIGNAL, "traces"),
        header(RecordHeaders.BATCH_ID, name), header(RecordHeaders.ENCODING, RecordHeaders.ENCODING_OTLP_PROTO));
    return producer.send(new ProducerRecord<byte[], byte[]>(partition.topic(), partition.partition(), (byte[]) null, value,
        headers))
        .get().offset();
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
