package io.openwit.pipeline.source;

/**
 * One Kafka record: one OTLP export request with the headers the receiver wrote. A Flink POJO (public
 * fields, no-arg constructor) so it travels between operators without Kryo.
 *
 * <p>{@code batchId} identifies the request for deduplication; {@code trackingId} is the batch
 * tracker's row it counts towards: the same for the receiver's records, a group of records for an
 * external topic's (set by {@link BatchTracking}). {@code payload} is OTLP protobuf that
 * {@link RecordRouter} checked decodes, whatever {@code encoding} the record came in.
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
  public byte[] payload;

  public OtlpBatch() {}

  public OtlpBatch(
      String tenant, String signal, String batchId, String trackingId, String encoding,
      String topic, int partition, long offset, long kafkaTimestamp, byte[] payload) {
    this.tenant = tenant;
    this.signal = signal;
    this.batchId = batchId;
    this.trackingId = trackingId;
    this.encoding = encoding;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.kafkaTimestamp = kafkaTimestamp;
    this.payload = payload;
  }

  /** Whether the record came from an external topic rather than an OpenWit receiver. */
  public boolean isExternal() {
    return !batchId.equals(trackingId);
  }
}
