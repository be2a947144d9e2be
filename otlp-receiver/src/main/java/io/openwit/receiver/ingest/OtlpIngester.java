package io.openwit.receiver.ingest;

import com.google.protobuf.Message;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.observe.ProcessMetrics;
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
  private final BatchReporter batches;
  private final long kafkaAckTimeoutMs;
  private final long maxInFlightBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final ReceiverMetrics metrics;

  public OtlpIngester(
      KafkaWal wal, TenantRateLimiter limiter, BatchReporter batches, long kafkaAckTimeoutMs, long maxInFlightBytes) {
    this.wal = wal;
    this.limiter = limiter;
    this.batches = batches;
    this.kafkaAckTimeoutMs = kafkaAckTimeoutMs;
    this.maxInFlightBytes = maxInFlightBytes;
    this.metrics = new ReceiverMetrics(ProcessMetrics.registry(), inFlightBytes::get);
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
    return measured(codec, tenant, () -> accept(codec, tenant, codec.parseProtobuf(request), request));
  }

  /** An OTLP/JSON export request; it is stored as protobuf like every other. */
  public CompletableFuture<Message> acceptJson(Signal signal, String tenant, byte[] request)
      throws InvalidOtlpException {
    OtlpCodec codec = OtlpCodec.of(signal);
    return measured(codec, tenant, () -> accept(codec, tenant, codec.parseJson(request), null));
  }

  private interface Acceptance {
    CompletableFuture<Message> run() throws InvalidOtlpException;
  }

  /** Counts the request's outcome and times it. */
  private CompletableFuture<Message> measured(OtlpCodec codec, String tenant, Acceptance acceptance)
      throws InvalidOtlpException {
    long start = System.nanoTime();
    Signal signal = codec.signal();
    try {
      return acceptance.run().whenComplete((response, failure) -> {
        metrics.requestDuration(signal, System.nanoTime() - start);
        if (failure != null) {
          metrics.request(tenant, signal, ReceiverMetrics.Outcome.KAFKA_FAILED);
        }
      });
    } catch (InvalidOtlpException e) {
      metrics.request(tenant, signal, ReceiverMetrics.Outcome.INVALID);
      throw e;
    } catch (IngestRefusal refusal) {
      metrics.request(tenant, signal, switch (refusal.reason()) {
        case TOO_LARGE -> ReceiverMetrics.Outcome.TOO_LARGE;
        case RATE_LIMITED -> ReceiverMetrics.Outcome.RATE_LIMITED;
        case OVERLOADED -> ReceiverMetrics.Outcome.OVERLOADED;
      });
      throw refusal;
    }
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
    Signal signal = codec.signal();
    String batchId = batchId(tenant, codec, protobuf);
    long items = OtlpCodec.items(checked.accepted());
    long createdAt = System.currentTimeMillis();
    long sent = System.nanoTime();
    return wal.append(signal, tenant, batchId, RecordHeaders.ENCODING_OTLP_PROTO, protobuf)
        .orTimeout(kafkaAckTimeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((acknowledged, failure) -> inFlightBytes.addAndGet(-protobuf.length))
        .thenApply(acknowledged -> {
          metrics.kafkaProduceDuration(signal, System.nanoTime() - sent);
          metrics.request(tenant, signal,
              checked.rejected() == 0 ? ReceiverMetrics.Outcome.ACCEPTED : ReceiverMetrics.Outcome.PARTIAL);
          metrics.items(tenant, signal, items, checked.rejected(), protobuf.length);
          batches.report(new BatchEvent.WalWritten(batchId, tenant, signal.headerValue(), acknowledged.topic(),
              acknowledged.partition(), acknowledged.offset(), RecordHeaders.ENCODING_OTLP_PROTO, protobuf.length,
              items, createdAt, System.currentTimeMillis()));
          return response;
        });
  }
}
