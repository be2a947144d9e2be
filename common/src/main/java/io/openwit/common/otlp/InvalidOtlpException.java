package io.openwit.common.otlp;

/** An OTLP payload that cannot be decoded; the message says what is wrong with it. */
public class InvalidOtlpException extends Exception {
  public InvalidOtlpException(String message) {
    super(message);
  }
}
