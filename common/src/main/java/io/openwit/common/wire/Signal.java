package io.openwit.common.wire;

import java.util.Locale;

/** The three OpenTelemetry signals, as named in record headers and table names. */
public enum Signal {
  TRACES,
  LOGS,
  METRICS;

  public String headerValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Signal fromHeaderValue(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
