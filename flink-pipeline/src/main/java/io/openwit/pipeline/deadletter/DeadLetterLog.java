package io.openwit.pipeline.deadletter;

import org.slf4j.Logger;

/**
 * Logs dead letters as warnings, at most one line per ten seconds (the next one says how many were
 * left out), so a flood of bad records does not flood the log. One per operator instance.
 */
public final class DeadLetterLog {
  private static final long LOG_INTERVAL_MS = 10_000;

  private final Logger log;
  private long lastLogMillis = Long.MIN_VALUE;
  private long unloggedSinceLastLog;

  public DeadLetterLog(Logger log) {
    this.log = log;
  }

  /** Logs that record {@code recordId} went to the dead-letter topic, unless a line was logged lately. */
  public void warn(String recordId, DeadLetterReason reason, String detail) {
    long now = System.currentTimeMillis();
    if (lastLogMillis != Long.MIN_VALUE && now - lastLogMillis < LOG_INTERVAL_MS) {
      unloggedSinceLastLog++;
      return;
    }
    log.warn("record {} put on the dead-letter topic ({}): {}{}", recordId, reason.code(), detail,
        unloggedSinceLastLog == 0 ? ""
            : " (and " + unloggedSinceLastLog + " more dead letters in the last " + (now - lastLogMillis) / 1000 + " s)");
    lastLogMillis = now;
    unloggedSinceLastLog = 0;
  }
}
