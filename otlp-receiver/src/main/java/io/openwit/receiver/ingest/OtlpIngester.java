package io.openwit.receiver.ingest;

import com.google.protobuf.Message;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.observe.ProcessMetrics;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.otlp.OtlpLimitException;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.kafka.KafkaWal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every transport does with an export request: scan it against the decode limits, reserve the
 * memory its decoding takes, decode and check it, then write it to the Kafka write-ahead log as
 * protobuf. The returned future completes once Kafka acknowledged it; the
 * transports (HTTP, gRPC) only translate requests and outcomes.
 */
public final class OtlpIngester {
  /** Decoding memory frees up as requests finish, within about a second each. */
  private static final long OVERLOADED_RETRY_AFTER_SECONDS = 1;
  private final KafkaWal wal;
  private final TenantRateLimiter limiter;
  private final BatchReporter batches;
  private final long kafkaAckTimeoutMs;
  private final long maxInFlightBytes;
  private final long receiverMaxRequestBytes;
  private final AtomicLong inFlightBytes = new AtomicLong();
  private final ReceiverMetrics metrics;

  public OtlpIngester(KafkaWal wal, TenantRateLimiter limiter, BatchReporter batches, OpenWitConfig config) {
    this.wal = wal;
    this.limiter = limiter;
    this.batches = batches;
    this.kafkaAckTimeoutMs = config.receiver().kafkaAckTimeoutMs();
    this.maxInFlightBytes = config.receiver().maxInFlightBytes();
    this.receiverMaxRequestBytes = config.receiver().maxRequestBytes();
    this.metrics = new ReceiverMetrics(ProcessMetrics.registry(), inFlightBytes::get);
  }

  /** Bytes of the memory budget held: requests being decoded, and accepted ones Kafka has not acknowledged yet. */
  public long inFlightBytes() {
    return inFlightBytes.get();
  }

  /**
   * A protobuf-encoded export request of {@code signal}, as received. Completes with the response
   * to send: empty, or a partial success naming the items that were refused. Throws
   * {@link IngestRefusal} for a request over the tenant's limits or the receiver's memory budget,
   * and {@link io.openwit.common.otlp.OtlpLimitException} for one over the decode limits, found
   * before anything of the request is built.
   */
  public CompletableFuture<Message> acceptProtobuf(Signal signal, String tenant, byte[] request)
      throws InvalidOtlpException {
    OtlpCodec codec = OtlpCodec.of(signal);
    return measured(codec, tenant, () -> {
      checkSize(tenant, request.length);
      Reservation decoding = reserve(request.length + codec.scanProtobuf(request, limiter.decodeLimits()).decodedBytes());
      return accept(codec, tenant, decoding, () -> codec.parseProtobuf(request), request);
    });
  }

  /** An OTLP/JSON export request; it is stored as protobuf like every other. */
  public CompletableFuture<Message> acceptJson(Signal signal, String tenant, byte[] request)
      throws InvalidOtlpException {
    OtlpCodec codec = OtlpCodec.of(signal);
    return measured(codec, tenant, () -> {
      checkSize(tenant, request.length);
      Reservation decoding = reserve(request.length + codec.scanJson(request, limiter.decodeLimits()).decodedBytes());
      return accept(codec, tenant, decoding, () -> codec.parseJson(request), null);
    });
  }

  /**
   * The most a request body of {@code tenant} may hold once decompressed: the receiver's limit, or
   * the tenant's when lower. Inflating a body stops there.
   */
  public long maxRequestBytes(String tenant) {
    long tenantLimit = limiter.limitsOf(tenant).maxRequestBytes();
    return tenantLimit > 0 ? Math.min(tenantLimit, receiverMaxRequestBytes) : receiverMaxRequestBytes;
  }

  private void checkSize(String tenant, long size) {
    long maxRequestBytes = limiter.limitsOf(tenant).maxRequestBytes();
    if (maxRequestBytes > 0 && size > maxRequestBytes) {
      throw new IngestRefusal(IngestRefusal.Reason.TOO_LARGE,
          "request of " + size + " bytes exceeds tenant '" + tenant + "''s limit of " + maxRequestBytes
              + " bytes (limits max_request_bytes)", 0);
    }
  }

  /**
   * Takes {@code bytes} of the memory budget for a request about to be decoded. A request that
   * could never fit is too large; one that does not fit now is refused until others finish.
   */
  private Reservation reserve(long bytes) {
    if (bytes > maxInFlightBytes) {
      throw new IngestRefusal(IngestRefusal.Reason.TOO_LARGE,
          "decoding this request would take about " + bytes + " bytes of memory, more than the receiver's"
              + " budget of " + maxInFlightBytes + " bytes (receiver.max_in_flight_bytes)", 0);
    }
    if (inFlightBytes.addAndGet(bytes) > maxInFlightBytes) {
      inFlightBytes.addAndGet(-bytes);
      throw new IngestRefusal(IngestRefusal.Reason.OVERLOADED,
          "the receiver holds " + maxInFlightBytes + " bytes of requests being decoded or not yet acknowledged"
              + " by Kafka (receiver.max_in_flight_bytes)", OVERLOADED_RETRY_AFTER_SECONDS);
    }
    return new Reservation(bytes);
  }

  /** Bytes of the memory budget one request holds; released once, whatever happens to the request. */
  private final class Reservation {
    private long bytes;

    Reservation(long bytes) {
      this.bytes = bytes;
    }

    /** Keeps only {@code kept} bytes: what stays on the heap once decoding is over. */
    void shrinkTo(long kept) {
      inFlightBytes.addAndGet(kept - bytes);
      bytes = kept;
    }

    void release() {
      inFlightBytes.addAndGet(-bytes);
      bytes = 0;
    }
  }

  private interface Decoding {
    Message decode() throws InvalidOtlpException;
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
      metrics.request(tenant, signal, e instanceof OtlpLimitException limit && limit.tooLarge()
          ? ReceiverMetrics.Outcome.TOO_LARGE : ReceiverMetrics.Outcome.INVALID);
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

  private CompletableFuture<Message> accept(
      OtlpCodec codec, String tenant, Reservation decoding, Decoding decoder, byte[] original)
      throws InvalidOtlpException {
    byte[] protobuf;
    long items;
    long rejected;
    Message response;
    try {
      OtlpCodec.Checked checked = codec.check(decoder.decode());
      if (checked.nothingKept()) {
        throw new InvalidOtlpException("every item of the request is invalid: " + checked.reason());
      }
      // Unchanged protobuf requests go to Kafka as received, without serializing them again.
      protobuf = checked.rejected() == 0 && original != null ? original : checked.accepted().toByteArray();
      items = OtlpCodec.items(checked.accepted());
      rejected = checked.rejected();
      response = rejected == 0 ? codec.emptyResponse() : codec.partialSuccessResponse(rejected, checked.reason());
      limiter.acquire(tenant, items, protobuf.length);
    } catch (InvalidOtlpException | RuntimeException e) {
      decoding.release();
      throw e;
    }
    // The decoded request is garbage from here on: while Kafka has not acknowledged, the request
    // holds only the bytes sent to it.
    decoding.shrinkTo(protobuf.length);
    Signal signal = codec.signal();
    String batchId = batchId(tenant, codec, protobuf);
    long createdAt = System.currentTimeMillis();
    long sent = System.nanoTime();
    return wal.append(signal, tenant, batchId, RecordHeaders.ENCODING_OTLP_PROTO, protobuf)
        .orTimeout(kafkaAckTimeoutMs, TimeUnit.MILLISECONDS)
        .whenComplete((acknowledged, failure) -> decoding.release())
        .handle((acknowledged, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            throw new CompletionException(cause instanceof TimeoutException
                ? new KafkaAckTimeoutException("could not make the request durable in Kafka: no acknowledgement"
                    + " within " + kafkaAckTimeoutMs + " ms (receiver.kafka_ack_timeout_ms)")
                : cause);
          }
          metrics.kafkaProduceDuration(signal, System.nanoTime() - sent);
          metrics.request(tenant, signal, rejected == 0 ? ReceiverMetrics.Outcome.ACCEPTED : ReceiverMetrics.Outcome.PARTIAL);
          metrics.items(tenant, signal, items, rejected, protobuf.length);
          batches.report(new BatchEvent.WalWritten(batchId, tenant, signal.headerValue(), acknowledged.topic(),
              acknowledged.partition(), acknowledged.offset(), RecordHeaders.ENCODING_OTLP_PROTO, protobuf.length,
              items, createdAt, System.currentTimeMillis()));
          return response;
        });
  }
}
