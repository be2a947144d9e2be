package io.openwit.pipeline.source;

import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Kafka record → {@link OtlpBatch}, reading the receiver's headers; nothing is decoded yet. */
public final class OtlpRecordDeserializer implements KafkaRecordDeserializationSchema<OtlpBatch> {

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<OtlpBatch> out) {
    out.collect(
        new OtlpBatch(
            header(record, RecordHeaders.TENANT, RecordHeaders.DEFAULT_TENANT),
            header(record, RecordHeaders.SIGNAL, Signal.TRACES.headerValue()),
            header(record, RecordHeaders.BATCH_ID, record.topic() + "-" + record.partition() + "-" + record.offset()),
            header(record, RecordHeaders.ENCODING, RecordHeaders.ENCODING_OTLP_PROTO),
            record.topic(),
            record.partition(),
            record.offset(),
            record.value() == null ? new byte[0] : record.value()));
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key, String fallback) {
    Header header = record.headers().lastHeader(key);
    return header == null || header.value() == null
        ? fallback
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  @Override
  public TypeInformation<OtlpBatch> getProducedType() {
    return TypeInformation.of(OtlpBatch.class);
  }
}
