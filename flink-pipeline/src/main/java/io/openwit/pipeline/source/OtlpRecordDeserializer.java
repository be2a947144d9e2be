package io.openwit.pipeline.source;

import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka record → {@link OtlpBatch}: the receiver's records by their headers, external topics' by
 * {@link ExternalTopicRules}; nothing is decoded yet.
 */
public final class OtlpRecordDeserializer implements KafkaRecordDeserializationSchema<OtlpBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpRecordDeserializer.class);

  private final ExternalTopicRules externalTopics;

  public OtlpRecordDeserializer(ExternalTopicRules externalTopics) {
    this.externalTopics = externalTopics;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<OtlpBatch> out) {
    byte[] payload = record.value() == null ? new byte[0] : record.value();
    String recordId = record.topic() + "-" + record.partition() + "-" + record.offset();
    if (record.headers().lastHeader(RecordHeaders.TENANT) == null) {
      Optional<ExternalTopicRules.Origin> origin = externalTopics.originOf(record.topic());
      if (origin.isEmpty()) {
        LOG.warn("skipping record {}: no external_topics rule tells its signal", recordId);
        return;
      }
      // the tracking id is given by BatchTracking, which groups an external partition's records
      out.collect(new OtlpBatch(origin.get().tenant(), origin.get().signal().headerValue(), recordId, null,
          origin.get().encoding(), record.topic(), record.partition(), record.offset(), record.timestamp(),
          payload));
      return;
    }
    String batchId = header(record, RecordHeaders.BATCH_ID, recordId);
    out.collect(
        new OtlpBatch(
            header(record, RecordHeaders.TENANT, RecordHeaders.DEFAULT_TENANT),
            header(record, RecordHeaders.SIGNAL, Signal.TRACES.headerValue()),
            batchId,
            // a replayed record of an external topic still counts towards its original batch
            header(record, RecordHeaders.TRACKING_ID, batchId),
            header(record, RecordHeaders.ENCODING, RecordHeaders.ENCODING_OTLP_PROTO),
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp(),
            payload));
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
