package io.openwit.pipeline.source;

/**
 * One Kafka record: one OTLP export request with the headers the receiver wrote. A Flink POJO (public
 * fields, no-arg constructor) so it travels between operators without Kryo.
 */
public class OtlpBatch {
  public String tenant;
  public String signal;
  public String batchId;
  public String encoding;
  public String topic;
  public int partition;
  public long offset;
  public byte[] payload;

  public OtlpBatch() {}

  public OtlpBatch(
      String tenant, String signal, String batchId, String encoding,
      String topic, int partition, long offset, byte[] payload) {
    this.tenant = tenant;
    this.signal = signal;
    this.batchId = batchId;
    this.encoding = encoding;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.payload = payload;
  }
}
