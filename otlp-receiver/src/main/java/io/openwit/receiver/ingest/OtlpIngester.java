package io.openwit.receiver.ingest;

import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.kafka.KafkaWal;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every transport does with an export request: check that it decodes, then write it to the
 * Kafka write-ahead log as protobuf. The returned future completes once Kafka acknowledged it; the
 * transports (HTTP, gRPC) only translate requests and outcomes.
 */
public final class OtlpIngester {
  private final KafkaWal wal;
  private final long kafkaAckTimeoutMs;

  public OtlpIngester(KafkaWal wal, long kafkaAckTimeoutMs) {
    this.wal = wal;
    this.kafkaAckTimeoutMs = kafkaAckTimeoutMs;
  }

  /** A protobuf-encoded export request of {@code signal}, as received. */
  public CompletableFuture<Void> acceptProtobuf(Signal signal, String tenant, byte[] request) throws InvalidOtlpException {
    OtlpCodec.of(signal).parseProtobuf(request);
    return append(signal, tenant, request);
  }

  /** An OTLP/JSON export request; it is stored as protobuf like every other. */
  public CompletableFuture<Void> acceptJson(Signal signal, String tenant, byte[] request) throws InvalidOtlpException {
    return append(signal, tenant, OtlpCodec.of(signal).parseJson(request).toByteArray());
  }

  private CompletableFuture<Void> append(Signal signal, String tenant, byte[] protobuf) {
    return wal.append(signal, tenant, UUID.randomUUID().toString(), RecordHeaders.ENCODING_OTLP_PROTO, protobuf)
        .orTimeout(kafkaAckTimeoutMs, TimeUnit.MILLISECONDS)
        .thenApply(acknowledged -> null);
  }
}
