package io.openwit.query.trino;

import io.openwit.common.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;

/**
 * A launcher as {@code openwit local} is one for Trino, in a JVM of its own so a test can SIGKILL
 * it: starts Trino from the openwit.yaml given as the argument, prints {@code ready} and waits.
 */
public final class TrinoLauncher {
  private TrinoLauncher() {}

  public static void main(String[] args) throws InterruptedException {
    TrinoServer trino = TrinoServer.start(ConfigLoader.load(Path.of(args[0]), Map.of()));
    System.out.println("ready " + trino.jdbcUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
