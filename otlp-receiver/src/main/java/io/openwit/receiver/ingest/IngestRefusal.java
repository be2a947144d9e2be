package io.openwit.receiver.ingest;

/** A request the receiver did not take, for a reason the client can act on; nothing was written. */
public final class IngestRefusal extends RuntimeException {
  /** Why: each transport maps these to its own status (HTTP 429/413/503, gRPC RESOURCE_EXHAUSTED/UNAVAILABLE). */
  public enum Reason {
    RATE_LIMITED,
    TOO_LARGE,
    OVERLOADED
  }

  private final Reason reason;
  private final long retryAfterSeconds;

  IngestRefusal(Reason reason, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Reason reason() {
    return reason;
  }

  /** When a retry may succeed; 0 when retrying the same request cannot help. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
