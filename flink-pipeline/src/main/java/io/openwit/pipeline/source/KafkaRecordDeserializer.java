package io.openwit.pipeline.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka record → {@link KafkaRecord}, as it is. Nothing here may throw on a record's content: the
 * source would fail, restart and read the same record again forever. {@link RecordRouter} judges it.
 */
public final class KafkaRecordDeserializer implements KafkaRecordDeserializationSchema<KafkaRecord> {

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRecord> out) {
    Header[] headers = record.headers().toArray();
    String[] keys = new String[headers.length];
    byte[][] values = new byte[headers.length][];
    for (int i = 0; i < headers.length; i++) {
      keys[i] = headers[i].key();
      values[i] = headers[i].value();
    }
    out.collect(new KafkaRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
        record.key(), record.value(), keys, values));
  }

  @Override
  public TypeInformation<KafkaRecord> getProducedType() {
    return TypeInformation.of(KafkaRecord.class);
  }
}
