package io.openwit.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.pipeline.deadletter.DeadLetter;
import io.openwit.pipeline.deadletter.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The router in Flink's operator test harness: good records on the main output, bad ones as dead letters. */
class RecordRouterTest {
  private static final String TOPIC = "openwit-otlp-traces";
  private static final byte[] SPANS = ExportTraceServiceRequest.newBuilder()
      .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
          .addSpans(Span.newBuilder().setName("GET /cart").setStartTimeUnixNano(1).setEndTimeUnixNano(2))))
      .build().toByteArray();
  private static final String SPANS_JSON = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"GET /cart\","
      + "\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"}]}]}]}";

  /** Offsets follow each other per topic, as Kafka's do: a jump would make the router ask Kafka about lost records. */
  private final Map<String, Long> nextOffsets = new HashMap<>();

  private static OpenWitConfig config(Map<String, String> settings) {
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.put("batch_tracking.enabled", "false");
    return ConfigLoader.parse("", all, Map.of(), "test");
  }

  private static OneInputStreamOperatorTestHarness<KafkaRecord, OtlpBatch> harness(OpenWitConfig config)
      throws Exception {
    return ProcessFunctionTestHarnesses.forProcessFunction(new RecordRouter(config));
  }

  /** A record of {@code topic} with {@code headers} in order, each pair a name and a value (null for a null value). */
  private KafkaRecord record(String topic, byte[] value, String... headers) {
    String[] keys = new String[headers.length / 2];
    byte[][] values = new byte[headers.length / 2][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = headers[2 * i];
      values[i] = headers[2 * i + 1] == null ? null : headers[2 * i + 1].getBytes(StandardCharsets.UTF_8);
    }
    long offset = nextOffsets.merge(topic, 1L, Long::sum) - 1;
    return new KafkaRecord(topic, 0, offset, 1_700_000_000_000L, "key".getBytes(StandardCharsets.UTF_8),
        value, keys, values);
  }

  private KafkaRecord receiverRecord(byte[] value, String tenant, String signal, String batchId, String encoding) {
    List<String> headers = new ArrayList<>();
    for (String[] header : new String[][] {{RecordHeaders.TENANT, tenant}, {RecordHeaders.SIGNAL, signal},
        {RecordHeaders.BATCH_ID, batchId}, {RecordHeaders.ENCODING, encoding}}) {
      if (header[1] != null) {
        headers.add(header[0]);
        headers.add(header[1]);
      }
    }
    return record(TOPIC, value, headers.toArray(String[]::new));
  }

  private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<KafkaRecord, OtlpBatch> harness) {
    var side = harness.getSideOutput(RecordRouter.DEAD_LETTERS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void aReceiverRecordWithValidHeadersPassesAsItsBatch() throws Exception {
    try (var harness = harness(config(Map.of()))) {
      harness.processElement(receiverRecord(SPANS, "acme", "traces", "0a1b2c", "otlp_proto"), 0);

      assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
        assertThat(batch.tenant).isEqualTo("acme");
        assertThat(batch.signal).isEqualTo("traces");
        assertThat(batch.batchId).isEqualTo("0a1b2c");
        assertThat(batch.trackingId).isEqualTo("0a1b2c");
        assertThat(batch.payload).isEqualTo(SPANS);
      });
      assertThat(deadLetters(harness)).isEmpty();
    }
  }

  @Test
  void anOtlpJsonValueGoesOnAsReadWithItsEncoding() throws Exception {
    try (var harness = harness(config(Map.of()))) {
      harness.processElement(receiverRecord(SPANS_JSON.getBytes(StandardCharsets.UTF_8), "acme", "traces", "b1",
          "otlp_json"), 0);

      OtlpBatch batch = harness.extractOutputValues().get(0);
      assertThat(batch.encoding).isEqualTo("otlp_json");
      assertThat(batch.payload).asString(StandardCharsets.UTF_8).isEqualTo(SPANS_JSON);
    }
  }

  @Test
  void aValueIsNotDecodedHereSoAnUndecodableOneWithValidHeadersPasses() throws Exception {
    try (var harness = harness(config(Map.of()))) {
      harness.processElement(receiverRecord(new byte[] {(byte) 0xff, 0x01, 0x02}, "acme", "traces", "b8",
          "otlp_proto"), 0);
      harness.processElement(receiverRecord(SPANS, "acme", "traces", "b9", "otlp_json"), 0);

      assertThat(harness.extractOutputValues()).extracting(batch -> batch.batchId).containsExactly("b8", "b9");
      assertThat(deadLetters(harness)).isEmpty();
    }
  }

  @Test
  void aBatchKeepsTheRecordsKeyAndHeadersForItsDeadLetter() throws Exception {
    KafkaRecord record = receiverRecord(SPANS, "acme", "traces", "b1", "otlp_proto");
    try (var harness = harness(config(Map.of()))) {
      harness.processElement(record, 0);

      KafkaRecord again = harness.extractOutputValues().get(0).record();
      assertThat(again).usingRecursiveComparison().isEqualTo(record);
    }
  }

  @Test
  void eachKindOfBadRecordBecomesADeadLetterWithItsReasonAndTheGoodOnesAroundItPass() throws Exception {
    KafkaRecord before = receiverRecord(SPANS, "acme", "traces", "good-1", "otlp_proto");
    Map<KafkaRecord, DeadLetterReason> bad = new LinkedHashMap<>();
    bad.put(receiverRecord(SPANS, "acme", "profiles", "b2", "otlp_proto"), DeadLetterReason.UNKNOWN_SIGNAL);
    bad.put(receiverRecord(SPANS, "acme", null, "b3", "otlp_proto"), DeadLetterReason.UNKNOWN_SIGNAL);
    bad.put(receiverRecord(SPANS, "../x", "traces", "b4", "otlp_proto"), DeadLetterReason.BAD_TENANT);
    bad.put(receiverRecord(SPANS, "system", "traces", "b5", "otlp_proto"), DeadLetterReason.BAD_TENANT);
    bad.put(receiverRecord(SPANS, null, "traces", "b6", "otlp_proto"), DeadLetterReason.UNKNOWN_ORIGIN);
    bad.put(receiverRecord(SPANS, "acme", "traces", null, "otlp_proto"), DeadLetterReason.BAD_BATCH_ID);
    bad.put(receiverRecord(SPANS, "acme", "traces", "", "otlp_proto"), DeadLetterReason.BAD_BATCH_ID);
    bad.put(receiverRecord(SPANS, "acme", "traces", "a b/../c", "otlp_proto"), DeadLetterReason.BAD_BATCH_ID);
    bad.put(receiverRecord(SPANS, "acme", "traces", "b7", "avro"), DeadLetterReason.UNKNOWN_ENCODING);
    KafkaRecord after = receiverRecord(SPANS, "acme", "traces", "good-2", "otlp_proto");
    try (var harness = harness(config(Map.of()))) {
      harness.processElement(before, 0);
      for (KafkaRecord record : bad.keySet()) {
        harness.processElement(record, 0);
      }
      harness.processElement(after, 0);

      assertThat(harness.extractOutputValues()).extracting(batch -> batch.batchId).containsExactly("good-1", "good-2");
      List<DeadLetter> letters = deadLetters(harness);
      assertThat(letters).extracting(letter -> letter.record.offset)
          .containsExactlyElementsOf(bad.keySet().stream().map(record -> record.offset).toList());
      assertThat(letters).extracting(letter -> letter.reason)
          .containsExactlyElementsOf(bad.values().stream().map(DeadLetterReason::code).toList());
      assertThat(letters.get(2).detail).contains("'../x'");
      assertThat(letters.get(7).detail).contains(RecordHeaders.BATCH_ID).contains("a b/../c");
    }
  }

  @Test
  void externalTopicRecordsAreJudgedByTheirRule() throws Exception {
    OpenWitConfig config = config(Map.of("ingestion.kafka.external_topics",
        "[{\"pattern\": \"otlp\\\\..*\"}, {\"pattern\": \"raw\\\\..*\", \"signal\": \"logs\", \"tenant\": \"openwit\"}]"));
    try (var harness = harness(config)) {
      harness.processElement(record("otlp.spans.acme", SPANS), 0);
      harness.processElement(record("otlp.unknown.acme", SPANS), 0);
      harness.processElement(record("raw.logs", new byte[0]), 0);

      assertThat(harness.extractOutputValues()).singleElement().satisfies(batch -> {
        assertThat(batch.tenant).isEqualTo("acme");
        assertThat(batch.batchId).isEqualTo("otlp.spans.acme-0-0");
        assertThat(batch.trackingId).as("given by BatchTracking").isNull();
      });
      assertThat(deadLetters(harness)).extracting(letter -> letter.reason).containsExactly(
          DeadLetterReason.UNKNOWN_ORIGIN.code(), DeadLetterReason.BAD_TENANT.code());
    }
  }

  @Test
  void aValueOverTheReceiversRequestLimitLeavesItsDeadLetterWithoutTheValue() throws Exception {
    try (var harness = harness(config(Map.of("receiver.max_request_bytes", "1024")))) {
      harness.processElement(receiverRecord(new byte[2048], "acme", "metrics?", "b1", "otlp_proto"), 0);

      DeadLetter letter = deadLetters(harness).get(0);
      assertThat(letter.record.value).isNull();
      assertThat(letter.record.headerKeys).contains(RecordHeaders.TENANT);
      assertThat(letter.detail).contains("value of 2048 bytes left out");
    }
  }
}
