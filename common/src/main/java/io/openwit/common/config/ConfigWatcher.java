package io.openwit.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads openwit.yaml when it changes (polling its modification time and size, which works on
 * every file system) and hands each valid new configuration to a listener; an invalid edit is
 * logged with the key that is wrong and the previous configuration stays in force.
 */
public final class ConfigWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

  private final Path file;
  private final Map<String, String> environment;
  private final Consumer<OpenWitConfig> listener;
  private final ScheduledExecutorService poller;
  private Object lastSeen;

  private ConfigWatcher(Path file, Map<String, String> environment, Consumer<OpenWitConfig> listener) {
    this.file = file;
    this.environment = environment;
    this.listener = listener;
    this.lastSeen = fingerprint();
    this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "config-watcher");
      thread.setDaemon(true);
      return thread;
    });
  }

  public static ConfigWatcher watch(
      Path file, Map<String, String> environment, long intervalMs, Consumer<OpenWitConfig> listener) {
    ConfigWatcher watcher = new ConfigWatcher(file, environment, listener);
    watcher.poller.scheduleWithFixedDelay(watcher::check, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    return watcher;
  }

  private void check() {
    Object current = fingerprint();
    if (Objects.equals(current, lastSeen)) {
      return;
    }
    lastSeen = current;
    try {
      listener.accept(ConfigLoader.load(file, environment));
      LOG.info("reloaded {}", file);
    } catch (ConfigException e) {
      LOG.error("ignoring the changed {}: {}", file, e.getMessage());
    }
  }

  private Object fingerprint() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      return modified.toMillis() + ":" + Files.size(file);
    } catch (IOException e) {
      return "unreadable";
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
