package io.openwit.common.otlp;

/**
 * A request over one of the {@link DecodeLimits}; the message names the limit's configuration key.
 * {@link #tooLarge()} tells a request with too much in it (HTTP 413, gRPC RESOURCE_EXHAUSTED) from
 * one whose items are shaped beyond the limits (HTTP 400, gRPC INVALID_ARGUMENT).
 */
public final class OtlpLimitException extends InvalidOtlpException {
  private final boolean tooLarge;

  OtlpLimitException(String message, boolean tooLarge) {
    super(message);
    this.tooLarge = tooLarge;
  }

  public boolean tooLarge() {
    return tooLarge;
  }
}
