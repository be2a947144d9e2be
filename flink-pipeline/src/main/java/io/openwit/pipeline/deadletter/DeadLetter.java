package io.openwit.pipeline.deadletter;

import io.openwit.pipeline.source.KafkaRecord;

/**
 * A record the ingest job cannot write, on its way to the dead-letter topic: the record as read,
 * and why. A value over the dead-letter topic's record limit is left out (the detail says so),
 * since a dead letter Kafka refuses would stop the job as surely as the record itself.
 */
public class DeadLetter {
  public KafkaRecord record;
  public String reason;
  public String detail;

  public DeadLetter() {}

  public DeadLetter(KafkaRecord record, DeadLetterReason reason, String detail) {
    this.record = record;
    this.reason = reason.code();
    this.detail = detail;
  }

  /** {@code record} as a dead letter whose value is at most {@code maxValueBytes}. */
  public static DeadLetter of(KafkaRecord record, DeadLetterReason reason, String detail, int maxValueBytes) {
    if (record.value == null || record.value.length <= maxValueBytes) {
      return new DeadLetter(record, reason, detail);
    }
    KafkaRecord withoutValue = new KafkaRecord(record.topic, record.partition, record.offset, record.timestamp,
        record.key, null, record.headerKeys, record.headerValues);
    return new DeadLetter(withoutValue, reason, detail + " (value of " + record.value.length
        + " bytes left out: over the dead-letter limit of " + maxValueBytes + ")");
  }
}
