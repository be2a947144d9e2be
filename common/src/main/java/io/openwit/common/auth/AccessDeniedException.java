package io.openwit.common.auth;

/** The caller is known but may not do this (HTTP 403). */
public final class AccessDeniedException extends RuntimeException {
  public AccessDeniedException(String message) {
    super(message);
  }
}
