package io.openwit.receiver.ingest;

/** Kafka did not acknowledge a request within receiver.kafka_ack_timeout_ms; a retry may succeed. */
public final class KafkaAckTimeoutException extends RuntimeException {
  KafkaAckTimeoutException(String message) {
    super(message, null, false, false);
  }
}
