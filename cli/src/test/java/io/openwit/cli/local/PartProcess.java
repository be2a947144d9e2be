package io.openwit.cli.local;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One part of a cluster-mode OpenWit (a receiver, the catalog, a Kafka broker) as an operating
 * system process of its own, which a test SIGKILLs and starts again with the same command.
 */
final class PartProcess implements AutoCloseable {
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

  private final String name;
  private final List<String> command;
  private final Path directory;
  private final Ready ready;
  private Process process;
  private int starts;

  /** Whether a started part is ready, told where its output goes. */
  interface Ready {
    boolean holds(Path output) throws Exception;
  }

  private PartProcess(String name, List<String> command, Path directory, Ready ready) {
    this.name = name;
    this.command = command;
    this.directory = directory;
    this.ready = ready;
  }

  /** Runs {@code command}, output in {@code directory}/name-N.out, and waits until {@code ready} holds. */
  static PartProcess start(String name, List<String> command, Path directory, Ready ready) throws Exception {
    PartProcess part = new PartProcess(name, command, directory, ready);
    part.startAgain();
    return part;
  }

  /** Starts the part again (after {@link #kill}) and waits until it is ready. */
  void startAgain() throws Exception {
    Path output = directory.resolve(name + "-" + starts++ + ".out");
    Process started = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    process = started;
    Await.until(() -> {
      if (!started.isAlive()) {
        throw new AssertionError(name + " exited with " + started.exitValue() + " during startup; see " + output);
      }
      return ready.holds(output);
    }, STARTUP_TIMEOUT, name + " to be ready; see " + output);
  }

  /** SIGKILL: no shutdown hook runs, as when the OOM killer or a lost machine ends it. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") did not end after SIGKILL");
    }
  }

  /** A regular stop (SIGTERM), then SIGKILL if it is still running after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
