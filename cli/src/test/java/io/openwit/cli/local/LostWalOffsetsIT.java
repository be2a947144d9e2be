package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.wire.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Records Kafka deletes while the ingest job is down (as retention would, here by deleteRecords)
 * are not skipped silently: the restarted job counts them in {@code openwit_wal_offsets_lost} (and
 * logs an ERROR naming the range), and goes on with what Kafka still holds.
 */
class LostWalOffsetsIT {
  private static final int SPANS_PER_RECORD = 10;

  @Test
  void recordsDeletedBeforeTheJobReadThemAreCountedAndTheJobGoesOn() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of())) {
      TopicPartition partition = new TopicPartition(openWit.config.ingestion().kafka().topics().traces(), 0);
      long lastRead;
      try (KafkaProducer<byte[], byte[]> producer = producer(openWit)) {
        send(producer, partition, "read-0");
        send(producer, partition, "read-1");
        lastRead = send(producer, partition, "read-2");
        assertThat(openWit.awaitSpanCount(3 * SPANS_PER_RECORD, Duration.ofMinutes(2))).isEqualTo(3 * SPANS_PER_RECORD);
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
      assertThat(openWit.awaitSpanCount(5 * SPANS_PER_RECORD, Duration.ofMinutes(2))).isEqualTo(5 * SPANS_PER_RECORD);
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE name LIKE 'kept-%'"))
          .isEqualTo(2 * SPANS_PER_RECORD);
      String job = openWit.ingestJob.toString();
      Await.until(() -> PrometheusText.flinkJob(job).value("flink_taskmanager_job_task_operator_openwit_wal_offsets_lost",
          Map.of("job_id", job)) == 4, Duration.ofSeconds(30), "the four deleted offsets counted as lost");
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
