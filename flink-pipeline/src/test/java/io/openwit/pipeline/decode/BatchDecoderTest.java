package io.openwit.pipeline.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.deadletter.DeadLetter;
import io.openwit.pipeline.deadletter.DeadLetterReason;
import io.openwit.pipeline.source.KafkaRecord;
import io.openwit.pipeline.source.OtlpBatch;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The decoder in Flink's operator test harness: good batches become rows, bad ones whole dead letters. */
class BatchDecoderTest {
  private static final OpenWitConfig CONFIG =
      ConfigLoader.parse("", Map.of("batch_tracking.enabled", "false"), Map.of(), "test");
  private static final byte[] GARBAGE = {(byte) 0xff, (byte) 0xff, 0x01, 0x02};
  private static final String SPANS_JSON = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"GET /cart\","
      + "\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"}]}]}]}";

  private long nextOffset;

  /** {@code names.length} spans; a name starting with "child" gets a parent span id, the others are roots. */
  private static byte[] spans(String... names) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (String name : names) {
      Span.Builder span = Span.newBuilder().setName(name).setStartTimeUnixNano(1).setEndTimeUnixNano(2);
      if (name.startsWith("child")) {
        span.setParentSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
      }
      scope.addSpans(span);
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build().toByteArray();
  }

  /** A traces batch of the receiver, as RecordRouter passes it on. */
  private OtlpBatch batch(String batchId, String encoding, byte[] value) {
    String[] keys = {RecordHeaders.TENANT, RecordHeaders.SIGNAL, RecordHeaders.BATCH_ID, RecordHeaders.ENCODING};
    byte[][] values = {bytes("acme"), bytes("traces"), bytes(batchId), bytes(encoding)};
    KafkaRecord record = new KafkaRecord("openwit-otlp-traces", 0, nextOffset++, 1_700_000_000_000L, bytes("key"),
        value, keys, values);
    return new OtlpBatch("acme", "traces", batchId, batchId, encoding, record);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static OneInputStreamOperatorTestHarness<OtlpBatch, DecodedBatch> harness(BatchDecoder decoder)
      throws Exception {
    return ProcessFunctionTestHarnesses.forProcessFunction(decoder);
  }

  /** Checks spans against a table whose parent_span_id is required: a root span's row is refused. */
  private static BatchDecoder decoderRequiringParents() {
    Schema spans = new Schema(TableSchemas.SPANS_SCHEMA.columns().stream()
        .map(field -> field.name().equals("parent_span_id")
            ? Types.NestedField.required(field.fieldId(), field.name(), field.type())
            : field)
        .toList());
    Map<Signal, Schema> schemas = new EnumMap<>(Signal.class);
    schemas.put(Signal.TRACES, spans);
    return new BatchDecoder(CONFIG, schemas);
  }

  private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<OtlpBatch, DecodedBatch> harness) {
    var side = harness.getSideOutput(BatchDecoder.DEAD_LETTERS);
    return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void aGoodBatchBecomesItsRows() throws Exception {
    try (var harness = harness(new BatchDecoder(CONFIG))) {
      harness.processElement(batch("b1", "otlp_proto", spans("a", "b", "c")), 0);

      assertThat(harness.extractOutputValues()).singleElement().satisfies(decoded -> {
        assertThat(decoded.tenant()).isEqualTo("acme");
        assertThat(decoded.signal()).isEqualTo("traces");
        assertThat(decoded.trackingId()).isEqualTo("b1");
        assertThat(decoded.source()).isEqualTo(BatchEvent.SOURCE_RECEIVER);
        assertThat(decoded.rows()).extracting(row -> row.getString(4).toString()).containsExactly("a", "b", "c");
      });
      assertThat(deadLetters(harness)).isEmpty();
    }
  }

  @Test
  void anOtlpJsonValueIsDecodedFromJson() throws Exception {
    try (var harness = harness(new BatchDecoder(CONFIG))) {
      harness.processElement(batch("b1", "otlp_json", bytes(SPANS_JSON)), 0);

      assertThat(harness.extractOutputValues()).singleElement().satisfies(decoded -> assertThat(decoded.rows())
          .extracting(row -> row.getString(0).toString()).containsExactly("5b8efff798038103d269b633813fc60c"));
    }
  }

  @Test
  void anUndecodableValueBecomesADeadLetterWithItsReasonAndTheRecordAsItWas() throws Exception {
    OtlpBatch garbage = batch("garbage", "otlp_proto", GARBAGE);
    OtlpBatch protobufAsJson = batch("proto-as-json", "otlp_json", spans("a"));
    try (var harness = harness(new BatchDecoder(CONFIG))) {
      harness.processElement(garbage, 0);
      harness.processElement(protobufAsJson, 0);

      assertThat(harness.extractOutputValues()).isEmpty();
      List<DeadLetter> letters = deadLetters(harness);
      assertThat(letters).extracting(letter -> letter.reason).containsOnly(DeadLetterReason.UNDECODABLE_VALUE.code());
      assertThat(letters.get(0).record).usingRecursiveComparison().isEqualTo(garbage.record());
      assertThat(letters.get(0).detail).contains("otlp_proto");
      assertThat(letters.get(1).detail).contains("otlp_json");
    }
  }

  @Test
  void aBatchWithARowTheTableRefusesGoesWholeToTheDeadLetters() throws Exception {
    try (var harness = harness(decoderRequiringParents())) {
      harness.processElement(batch("b1", "otlp_proto", spans("child-1", "root", "child-2")), 0);

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(deadLetters(harness)).singleElement().satisfies(letter -> {
        assertThat(letter.reason).isEqualTo(DeadLetterReason.REFUSED_ROW.code());
        assertThat(letter.detail).contains("row 1 of 3").contains("required column 'parent_span_id' is null");
        assertThat(letter.record.offset).isZero();
      });
    }
  }

  @Test
  void theGoodBatchesAroundBadOnesStillComeOut() throws Exception {
    try (var harness = harness(decoderRequiringParents())) {
      harness.processElement(batch("good-1", "otlp_proto", spans("child-a")), 0);
      harness.processElement(batch("garbage", "otlp_proto", GARBAGE), 0);
      harness.processElement(batch("refused", "otlp_proto", spans("root")), 0);
      harness.processElement(batch("good-2", "otlp_proto", spans("child-b", "child-c")), 0);

      assertThat(harness.extractOutputValues()).extracting(DecodedBatch::trackingId)
          .containsExactly("good-1", "good-2");
      assertThat(deadLetters(harness)).extracting(letter -> letter.reason).containsExactly(
          DeadLetterReason.UNDECODABLE_VALUE.code(), DeadLetterReason.REFUSED_ROW.code());
    }
  }
}
