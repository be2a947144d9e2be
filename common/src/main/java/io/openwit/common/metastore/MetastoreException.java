package io.openwit.common.metastore;

/** The metastore database could not do what was asked. */
public class MetastoreException extends RuntimeException {
  public MetastoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
