package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.wire.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Records written the way the OpenTelemetry Collector's kafka exporter writes them (no OpenWit
 * headers; otlp_proto or otlp_json) to patterned topics of two tenants land in each tenant's
 * namespace only; a record that does not decode goes to the dead-letter topic.
 */
class KafkaTopicIngestIT {

  @Test
  void collectorTopicsOfTwoTenantsLandInTheirOwnNamespaces() throws Exception {
    String prefix = "ext" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    SharedEngines engines = SharedEngines.get();
    List<String> topics = List.of(prefix + ".spans.acme", prefix + ".spans.globex", prefix + ".logs.acme");
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, engines.kafka.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client.createTopics(topics.stream().map(topic -> new NewTopic(topic, 1, (short) 1)).toList()).all().get();
    }

    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "ingestion.kafka.external_topics", "[{\"pattern\": \"" + prefix + "\\\\.spans\\\\..*\"},"
            + " {\"pattern\": \"" + prefix + "\\\\.logs\\\\..*\", \"encoding\": \"otlp_json\"}]",
        "ingestion.kafka.topic_discovery_interval_ms", "2000",
        "ingestion.kafka.topics.dead_letter", prefix + ".dead-letter"))) {
      Properties producerProperties = new Properties();
      producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, engines.kafka.bootstrapServers());
      producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int batch = 0; batch < 3; batch++) {
          producer.send(new ProducerRecord<>(topics.get(0), spans("acme-checkout", 100).toByteArray())).get();
          producer.send(new ProducerRecord<>(topics.get(1), spans("globex-billing", 50).toByteArray())).get();
        }
        String logs = """
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"acme-jobs"}}]},
             "scopeLogs":[{"logRecords":[
               {"timeUnixNano":"1700000000000000000","severityNumber":9,"body":{"stringValue":"job started"},
                "traceId":"0af7651916cd43dd8448eb211c80319c"},
               {"timeUnixNano":"1700000001000000000","severityNumber":17,"body":{"stringValue":"job failed"}}]}]}]}
            """;
        producer.send(new ProducerRecord<>(topics.get(2), logs.getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(topics.get(2), "not json".getBytes(StandardCharsets.UTF_8))).get();
      }

      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.acme.spans", 300, Duration.ofMinutes(2))).isEqualTo(300);
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.globex.spans", 150, Duration.ofMinutes(2))).isEqualTo(150);
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.acme.logs", 2, Duration.ofMinutes(2))).isEqualTo(2);
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.acme.spans WHERE service_name <> 'acme-checkout'"))
          .isZero();
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.globex.spans WHERE service_name <> 'globex-billing'"))
          .isZero();
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.acme.logs WHERE trace_id = '0af7651916cd43dd8448eb211c80319c'"
          + " AND body = 'job started' AND service_name = 'acme-jobs'")).isEqualTo(1);
      assertThat(openWit.spanCount()).as("nothing reached the default tenant").isZero();

      // tracked as batches: what the pipeline read from one partition between two checkpoints
      String batches = openWit.config.catalogUri() + "/api/batch-monitor/batches?status=all&tenant=";
      Await.until(() -> {
        List<JsonNode> spanBatches = HttpApi.elements(HttpApi.getJson(batches + "acme").path("batches")).stream()
            .filter(batch -> batch.path("topics").asText().equals(topics.get(0))).toList();
        return !spanBatches.isEmpty()
            && spanBatches.stream().allMatch(batch -> batch.path("stage").asText().equals("completed"));
      }, Duration.ofMinutes(1), "acme's span batches completed");
      List<JsonNode> acme = HttpApi.elements(HttpApi.getJson(batches + "acme").path("batches"));
      List<JsonNode> acmeSpans = acme.stream().filter(batch -> batch.path("topics").asText().equals(topics.get(0)))
          .toList();
      assertThat(acmeSpans).allSatisfy(batch -> {
        assertThat(batch.path("source").asText()).isEqualTo("kafka");
        assertThat(batch.path("signal").asText()).isEqualTo("traces");
        assertThat(batch.path("batch_id").asText()).startsWith("kafka-" + topics.get(0) + "-0-");
        assertThat(batch.path("stored_at").isNull()).isFalse();
      });
      assertThat(acmeSpans.stream().mapToLong(batch -> batch.path("message_count").asLong()).sum()).isEqualTo(3);
      assertThat(acmeSpans.stream().mapToLong(batch -> batch.path("first_offset").asLong()).min()).hasValue(0);
      assertThat(acmeSpans.stream().mapToLong(batch -> batch.path("last_offset").asLong()).max()).hasValue(2);
      // the poison record went to the dead-letter topic, named by its origin; its partition's batch counts both records
      // read (the value is decoded after batch tracking, which cannot know it will not decode)
      assertThat(acme).filteredOn(batch -> batch.path("topics").asText().equals(topics.get(2)))
          .extracting(batch -> batch.path("message_count").asLong()).containsExactly(2L);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(openWit.config.ingestion().kafka().clientConfig(),
          new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition deadLetters = new TopicPartition(prefix + ".dead-letter", 0);
        consumer.assign(List.of(deadLetters));
        consumer.seekToBeginning(List.of(deadLetters));
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (letters.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(letters::add);
        }
        assertThat(letters).singleElement().satisfies(letter -> {
          assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo("not json");
          assertThat(new String(letter.headers().lastHeader(RecordHeaders.DEAD_LETTER_REASON).value(),
              StandardCharsets.UTF_8)).isEqualTo("undecodable_value");
          assertThat(new String(letter.headers().lastHeader(RecordHeaders.DEAD_LETTER_TOPIC).value(),
              StandardCharsets.UTF_8)).isEqualTo(topics.get(2));
          assertThat(new String(letter.headers().lastHeader(RecordHeaders.DEAD_LETTER_OFFSET).value(),
              StandardCharsets.UTF_8)).isEqualTo("1");
        });
      }
      assertThat(HttpApi.getJson(batches + "globex").path("batches").findValuesAsText("message_count").stream()
          .mapToLong(Long::parseLong).sum()).isEqualTo(3);
    }
  }

  private static ExportTraceServiceRequest spans(String service, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < count; i++) {
      byte[] traceId = new byte[16];
      byte[] spanId = new byte[8];
      ThreadLocalRandom.current().nextBytes(traceId);
      ThreadLocalRandom.current().nextBytes(spanId);
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
          .setName("op-" + i).setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_001_000_000L));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue(service))))
            .addScopeSpans(scope))
        .build();
  }
}
