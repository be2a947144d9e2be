package io.openwit.common.observe;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background work that must never keep a JVM alive: one named daemon thread per scheduler. */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ScheduledExecutorService scheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
  }
}
