package io.openwit.pipeline.deadletter;

import io.openwit.common.wire.RecordHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter as a record of the dead-letter topic: the original key, value and headers as they
 * were, then the reason, its detail and the source topic, partition and offset as headers.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    List<Header> headers = new ArrayList<>(letter.record.headerKeys.length + 5);
    for (int i = 0; i < letter.record.headerKeys.length; i++) {
      headers.add(new RecordHeader(letter.record.headerKeys[i], letter.record.headerValues[i]));
    }
    headers.add(header(RecordHeaders.DEAD_LETTER_REASON, letter.reason));
    headers.add(header(RecordHeaders.DEAD_LETTER_DETAIL, letter.detail));
    headers.add(header(RecordHeaders.DEAD_LETTER_TOPIC, letter.record.topic));
    headers.add(header(RecordHeaders.DEAD_LETTER_PARTITION, Integer.toString(letter.record.partition)));
    headers.add(header(RecordHeaders.DEAD_LETTER_OFFSET, Long.toString(letter.record.offset)));
    // no timestamp of the source record: retention counts from when the letter was written
    return new ProducerRecord<>(topic, null, null, letter.record.key, letter.record.value, headers);
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
