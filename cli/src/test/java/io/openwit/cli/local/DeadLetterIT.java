package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.wire.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Poison records written between good ones to the receiver's topic, read by the real ingest job on
 * the shared MiniCluster: the good ones are stored once, each bad one is on the dead-letter topic
 * with its reason and origin, counted in the job's metrics and by {@code openwit batches status},
 * and the job never restarts.
 */
class DeadLetterIT {
  private static final int SPANS_PER_RECORD = 10;

  @Test
  void badRecordsGoToTheDeadLetterTopicAndTheGoodOnesAroundThemAreStoredOnce() throws Exception {
    String deadLetterTopic = "dead-letters-" + UUID.randomUUID();
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "ingestion.kafka.topics.dead_letter", deadLetterTopic))) {
      String topic = openWit.config.ingestion().kafka().topics().traces();
      Map<String, List<Header>> bad = new LinkedHashMap<>();
      bad.put("unknown_signal", headers("default", "profiles", "bad-signal", "otlp_proto"));
      bad.put("unknown_origin", headers(null, "traces", "no-tenant", "otlp_proto"));
      bad.put("bad_tenant", headers("../x", "traces", "bad-tenant", "otlp_proto"));
      bad.put("bad_batch_id", headers("default", "traces", null, "otlp_proto"));
      bad.put("unknown_encoding", headers("default", "traces", "bad-encoding", "avro"));
      bad.put("undecodable_value", headers("default", "traces", "garbage", "otlp_proto"));
      List<Header> oddBatchId = headers("default", "traces", "a b/../c", "otlp_proto");
      List<Header> protobufAsJson = headers("default", "traces", "proto-as-json", "otlp_json");

      Map<Long, String> reasonByOffset = new HashMap<>();
      Map<Long, byte[]> valueByOffset = new HashMap<>();
      int good = 0;
      try (KafkaProducer<byte[], byte[]> producer = producer(openWit)) {
        for (Map.Entry<String, List<Header>> poison : bad.entrySet()) {
          send(producer, topic, goodHeaders(good), spans(good++));
          byte[] value = poison.getKey().equals("undecodable_value")
              ? new byte[] {(byte) 0xff, (byte) 0xff, 0x01, 0x02} : spans(1_000 + good);
          long offset = send(producer, topic, poison.getValue(), value);
          reasonByOffset.put(offset, poison.getKey());
          valueByOffset.put(offset, value);
        }
        reasonByOffset.put(send(producer, topic, oddBatchId, spans(2_000)), "bad_batch_id");
        reasonByOffset.put(send(producer, topic, protobufAsJson, spans(2_001)), "undecodable_value");
        for (int i = 0; i < 3; i++) {
          send(producer, topic, goodHeaders(good), spans(good++));
        }
      }

      assertThat(openWit.awaitSpanCount((long) good * SPANS_PER_RECORD, Duration.ofMinutes(2)))
          .isEqualTo((long) good * SPANS_PER_RECORD);
      assertThat(openWit.queryLong("SELECT count(DISTINCT name) FROM openwit.\"default\".spans"))
          .as("every good record's spans once").isEqualTo((long) good * SPANS_PER_RECORD);
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".spans WHERE name LIKE 'poison-%'"))
          .isZero();

      List<ConsumerRecord<byte[], byte[]>> letters = readAll(openWit, deadLetterTopic, reasonByOffset.size());
      assertThat(letters).hasSize(reasonByOffset.size());
      Map<Long, String> reasonBySourceOffset = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> letter : letters) {
        assertThat(header(letter, RecordHeaders.DEAD_LETTER_TOPIC)).isEqualTo(topic);
        assertThat(header(letter, RecordHeaders.DEAD_LETTER_PARTITION)).isEqualTo("0");
        assertThat(header(letter, RecordHeaders.DEAD_LETTER_DETAIL)).isNotBlank();
        long sourceOffset = Long.parseLong(header(letter, RecordHeaders.DEAD_LETTER_OFFSET));
        reasonBySourceOffset.put(sourceOffset, header(letter, RecordHeaders.DEAD_LETTER_REASON));
        if (valueByOffset.containsKey(sourceOffset)) {
          assertThat(letter.value()).as("the value as it was").isEqualTo(valueByOffset.get(sourceOffset));
        }
      }
      assertThat(reasonBySourceOffset).isEqualTo(reasonByOffset);
      ConsumerRecord<byte[], byte[]> badTenant = letters.stream()
          .filter(letter -> header(letter, RecordHeaders.DEAD_LETTER_REASON).equals("bad_tenant")).findFirst().orElseThrow();
      assertThat(header(badTenant, RecordHeaders.TENANT)).as("the original headers kept").isEqualTo("../x");
      assertThat(header(badTenant, RecordHeaders.DEAD_LETTER_DETAIL)).contains("'../x'");

      String job = openWit.ingestJob.toString();
      assertThat(openWit.engines.flink.status(openWit.ingestJob)).isEqualTo(JobStatus.RUNNING);
      // counted where each was found: by route-records (headers) or by decode-batches (value)
      Await.until(() -> PrometheusText.flinkJob(job).sum("flink_taskmanager_job_task_operator_openwit_dead_letter_records",
          Map.of("job_id", job)) == reasonByOffset.size(), Duration.ofSeconds(30), "the dead-letter counter reported");
      assertThat(PrometheusText.flinkJob(job).value("flink_jobmanager_job_numRestarts", Map.of("job_id", job)))
          .as("no bad record made the job restart").isZero();

      HttpApi.Run status = HttpApi.cli("batches", "status", "--catalog", openWit.config.catalogUri(),
          "--config", openWit.config.dataPath().resolve("openwit.yaml").toString());
      assertThat(status.exitCode()).as(status.err()).isZero();
      JsonNode deadLetters = new ObjectMapper().readTree(status.out()).path("dead_letters");
      assertThat(deadLetters.path("topic").asText()).isEqualTo(deadLetterTopic);
      assertThat(deadLetters.path("records").asLong()).isEqualTo(reasonByOffset.size());
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(OpenWitUnderTest openWit) {
    Properties properties = openWit.config.ingestion().kafka().clientConfig();
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static long send(KafkaProducer<byte[], byte[]> producer, String topic, List<Header> headers, byte[] value)
      throws Exception {
    return producer.send(new ProducerRecord<byte[], byte[]>(topic, 0, (byte[]) null, value, headers)).get().offset();
  }

  private static List<Header> goodHeaders(int record) {
    return headers("default", "traces", "good-" + record, "otlp_proto");
  }

  /** The receiver's headers; a null value leaves that header out. */
  private static List<Header> headers(String tenant, String signal, String batchId, String encoding) {
    List<Header> headers = new ArrayList<>();
    String[][] pairs = {{RecordHeaders.TENANT, tenant}, {RecordHeaders.SIGNAL, signal},
        {RecordHeaders.BATCH_ID, batchId}, {RecordHeaders.ENCODING, encoding}};
    for (String[] pair : pairs) {
      if (pair[1] != null) {
        headers.add(new RecordHeader(pair[0], pair[1].getBytes(StandardCharsets.UTF_8)));
      }
    }
    return headers;
  }

  /** Ten spans named {@code span-<record>-<i>} for a good record ({@code poison-...} for a bad one's value). */
  private static byte[] spans(int record) {
    String prefix = record >= 1_000 ? "poison-" : "span-";
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < SPANS_PER_RECORD; i++) {
      byte[] traceId = new byte[16];
      ThreadLocalRandom.current().nextBytes(traceId);
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}))
          .setName(prefix + record + "-" + i)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_001_000_000L));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build().toByteArray();
  }

  /** Every record of the single-partition {@code topic}, waiting until there are {@code expected}. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(OpenWitUnderTest openWit, String topic, int expected)
      throws Exception {
    Properties properties = openWit.config.ingestion().kafka().clientConfig();
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      // anything more would be a duplicate dead letter or one for a good record
      consumer.poll(Duration.ofSeconds(2)).forEach(records::add);
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
