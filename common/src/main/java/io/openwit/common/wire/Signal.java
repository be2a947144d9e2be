package io.openwit.common.wire;

/** The three OpenTelemetry signals, as named in record headers and table names. */
public enum Signal {
  TRACES,
  LOGS,
  METRICS;

  public String headerValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Signal fromHeaderValue(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
