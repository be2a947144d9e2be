package io.openwit.cli.local;

import java.time.Duration;

/** Polls a condition until it holds or the time is up. */
final class Await {
  private Await() {}

  interface Condition {
    boolean holds() throws Exception;
  }

  static void until(Condition condition, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
