package io.openwit.receiver.ingest;

import com.google.protobuf.Message;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.kafka.KafkaWal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every transport does with an export request: check that it decodes, then write it to the
 * Kafka write-ahead log as protobuf. The returned future completes once Kafka acknowledged it; the
 * transports (HTTP, gRPC) only translate requests and outcomes.
 */
public final class OtlpIngester {
  private final KafkaWal wal;
  private final TenantRateLimiter limiter;
  private final long kafkaAckTimeoutMs;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();

  public OtlpIngester(KafkaWal wal, TenantRateLimiter limiter, long kafkaAckTimeoutMs, long maxInFlightBytes) {
    this.wal = wal;
    this.limiter = limiter;
    this.kafkaAckTimeoutMs = kafkaAckTimeoutMs;
    this.maxInFlightBytes = maxInFlightBytes;
  }

  /** Bytes of accepted requests Kafka has not acknowledged yet. */
  public long inFlightBytes() {
    return inFlightBytes.get();
  }

  /**
   * A protobuf-encoded export request of {@code signal}, as received. Completes with the response
   * to send: empty, or a partial success naming the items that were refused. Throws
   * {@link IngestRefusal} for a request over the tenant's limits or while Kafka is backed up.
   */
  public CompletableFuture<Message> acceptProtobuf(Signal signal, String tenant, byte[] request)
      throws InvalidOtlpException {
    OtlpCodec codec = OtlpCodec.of(signal);
    return accept(codec, tenant, codec.parseProtobuf(request), request);
  }

  /** An OTLP/JSON export request; it is stored as protobuf like every other. */
  public CompletableFuture<Message> acceptJson(Signal signal, String tenant, byte[] request)
      throws InvalidOtlpException {
    OtlpCodec codec = OtlpCodec.of(signal);
    return accept(codec, tenant, codec.parseJson(request), null);
  }

  /**
   * A batch's id is a hash of what it carries, so a client's retry of the same request gets the
   * same id and the pipeline writes it once (pipeline.dedup_window_ms).
   */
  static String batchId(String tenant, OtlpCodec codec, byte[] protobuf) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((tenant + '\0' + codec.signal().headerValue() + '\0').getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(protobuf), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  private CompletableFuture<Message> accept(OtlpCodec codec, String tenant, Message request, byte[] original)
      throws InvalidOtlpException {
    long maxRequestBytes = limiter.limitsOf(tenant).maxRequestBytes();
    int size = original != null ? original.length : request.getSerializedSize();
    if (maxRequestBytes > 0 && size > maxRequestBytes) {
      throw new IngestRefusal(IngestRefusal.Reason.TOO_LARGE,
          "request of " + size + " bytes exceeds tenant '" + tenant + "''s limit of " + maxRequestBytes
              + " bytes (limits max_request_bytes)", 0);
    }
    OtlpCodec.Checked checked = codec.check(request);
    if (checked.nothingKept()) {
      throw new InvalidOtlpException("every item of the request is invalid: " + checked.reason());
    }
    // Unchanged protobuf requests go to Kafka as received, without serializing them again.
    byte[] protobuf = checked.rejected() == 0 && original != null ? original : checked.accepted().toByteArray();
    Message response = checked.rejected() == 0
        ? codec.emptyResponse()
        : codec.partialSuccessResponse(checked.rejected(), checked.reason());
    // Memory waiting on Kafka stays bounded: when Kafka is slow or down, clients retry later
    // instead of the receiver buffering without end. Checked before the rate limit, so a request
    // refused for this does not use up the tenant's allowance.
    if (inFlightBytes.addAndGet(protobuf.length) > maxInFlightBytes) {
      inFlightBytes.addAndGet(-protobuf.length);
      throw new IngestRefusal(IngestRefusal.Reason.OVERLOADED,
          "the receiver holds " + maxInFlightBytes + " bytes not yet acknowledged by Kafka"
              + " (receiver.max_in_flight_bytes)", 5);
    }
    try {
      limiter.acquire(tenant, OtlpCodec.items(checked.accepted()), protobuf.length);
    } catch (IngestRefusal refusal) {
      inFlightBytes.addAndGet(-protobuf.length);
      throw refusal;
    }
    return wal.append(codec.signal(), tenant, batchId(tenant, codec, protobuf), RecordHeaders.ENCODING_OTLP_PROTO, protobuf)
        .orTimeout(kafkaAckTimeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((acknowledged, failure) -> inFlightBytes.addAndGet(-protobuf.length))
        .thenApply(acknowledged -> response);
  }
}
