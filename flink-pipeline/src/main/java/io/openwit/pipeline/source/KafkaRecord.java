package io.openwit.pipeline.source;

import java.nio.charset.StandardCharsets;

/**
 * One Kafka record as read, nothing interpreted yet: {@link RecordRouter} decides whether it is an
 * OTLP batch the job can write or a dead letter. A Flink POJO (public fields, no-arg constructor), so
 * it travels between operators without Kryo; headers are two parallel arrays, in the record's order,
 * because Kafka allows a key more than once.
 */
public class KafkaRecord {
  public String topic;
  public int partition;
  public long offset;
  public long timestamp;
  public byte[] key;
  public byte[] value;
  public String[] headerKeys;
  public byte[][] headerValues;

  public KafkaRecord() {}

  public KafkaRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
      String[] headerKeys, byte[][] headerValues) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.headerKeys = headerKeys;
    this.headerValues = headerValues;
  }

  /** The last value of header {@code name} as UTF-8 text, or null when the record has none. */
  public String header(String name) {
    for (int i = headerKeys.length - 1; i >= 0; i--) {
      if (headerKeys[i].equals(name)) {
        return headerValues[i] == null ? null : new String(headerValues[i], StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Where the record was read: {@code topic-partition-offset}. */
  public String id() {
    return topic + "-" + partition + "-" + offset;
  }
}
