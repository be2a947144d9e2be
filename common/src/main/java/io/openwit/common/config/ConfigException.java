package io.openwit.common.config;

/** A configuration problem, with the key path or variable that caused it in the message. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
