package io.openwit.receiver.http;

import com.linecorp.armeria.common.HttpStatus;

/** A request the receiver refuses, with the status and the message the client gets. */
final class OtlpHttpException extends RuntimeException {
  private final HttpStatus status;

  OtlpHttpException(HttpStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  HttpStatus status() {
    return status;
  }
}
