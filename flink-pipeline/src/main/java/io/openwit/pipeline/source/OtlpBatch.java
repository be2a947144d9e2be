package io.openwit.pipeline.source;

import io.openwit.common.wire.RecordHeaders;

/**
 * One Kafka record whose headers {@link RecordRouter} accepted: one OTLP export request, not decoded
 * yet. A Flink POJO (public fields, no-arg constructor) so it travels between operators without Kryo.
 *
 * <p>{@code batchId} identifies the request for deduplication; {@code trackingId} is the batch
 * tracker's row it counts towards: the same for the receiver's records, a group of records for an
 * external topic's (set by {@link BatchTracking}). {@code payload} is the record's value as read, in
 * {@code encoding}; {@code BatchDecoder} decodes it once, after deduplication. The key and headers
 * are kept so a batch that fails to decode goes to the dead-letter topic as the record it came as.
 */
public class OtlpBatch {
  public String tenant;
  public String signal;
  public String batchId;
  public String trackingId;
  public String encoding;
  public String topic;
  public int partition;
  public long offset;
  public long kafkaTimestamp;
  public byte[] key;
  public byte[] payload;
  public String[] headerKeys;
  public byte[][] headerValues;

  public OtlpBatch() {}

  /** {@code record} as the batch {@code batchId} of {@code tenant} and {@code signal}. */
  public OtlpBatch(
      String tenant, String signal, String batchId, String trackingId, String encoding, KafkaRecord record) {
    this.tenant = tenant;
    this.signal = signal;
    this.batchId = batchId;
    this.trackingId = trackingId;
    this.encoding = encoding;
    this.topic = record.topic;
    this.partition = record.partition;
    this.offset = record.offset;
    this.kafkaTimestamp = record.timestamp;
    this.key = record.key;
    this.payload = record.value == null ? new byte[0] : record.value;
    this.headerKeys = record.headerKeys;
    this.headerValues = record.headerValues;
  }

  /** Whether the record came from an external topic rather than an OpenWit receiver. */
  public boolean isExternal() {
    return !batchId.equals(trackingId);
  }

  /**
   * Whether the record carries OpenWit headers (the receiver or a replay wrote it), so the batch
   * tracker knows its batch before the job reads it; an external topic's record has none.
   */
  public boolean hasOpenWitHeaders() {
    return record().header(RecordHeaders.TENANT) != null;
  }

  /** The Kafka record this batch was read from. */
  public KafkaRecord record() {
    return new KafkaRecord(topic, partition, offset, kafkaTimestamp, key, payload, headerKeys, headerValues);
  }
}
