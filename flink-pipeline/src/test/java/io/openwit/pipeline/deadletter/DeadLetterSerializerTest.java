package io.openwit.pipeline.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.wire.RecordHeaders;
import io.openwit.pipeline.source.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {
  @Test
  void theRecordKeepsItsKeyValueAndHeadersThenGetsTheReasonAndOrigin() {
    byte[] value = {1, 2, 3};
    KafkaRecord record = new KafkaRecord("openwit-otlp-logs", 3, 42L, 1L, "k".getBytes(StandardCharsets.UTF_8), value,
        new String[] {RecordHeaders.TENANT, RecordHeaders.SIGNAL, RecordHeaders.SIGNAL},
        new byte[][] {"acme".getBytes(StandardCharsets.UTF_8), null, "spans".getBytes(StandardCharsets.UTF_8)});

    ProducerRecord<byte[], byte[]> out = new DeadLetterSerializer("openwit.dead-letter").serialize(
        new DeadLetter(record, DeadLetterReason.UNKNOWN_SIGNAL, "header openwit.signal 'spans' is not ..."), null, null);

    assertThat(out.topic()).isEqualTo("openwit.dead-letter");
    assertThat(out.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
    assertThat(out.value()).isEqualTo(value);
    List<String> headers = Arrays.stream(out.headers().toArray())
        .map(header -> header.key() + "=" + (header.value() == null ? "null" : text(header)))
        .toList();
    assertThat(headers).containsExactly(
        "openwit.tenant=acme", "openwit.signal=null", "openwit.signal=spans",
        "openwit.dead_letter.reason=unknown_signal",
        "openwit.dead_letter.detail=header openwit.signal 'spans' is not ...",
        "openwit.dead_letter.topic=openwit-otlp-logs",
        "openwit.dead_letter.partition=3",
        "openwit.dead_letter.offset=42");
  }

  private static String text(Header header) {
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
