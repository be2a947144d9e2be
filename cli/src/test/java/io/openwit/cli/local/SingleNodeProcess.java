package io.openwit.cli.local;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code openwit local} as an operating system process of its own, started as the script starts
 * it, so that a test can SIGKILL it (all of it, or only the launcher JVM) and start it again on the
 * same data directory.
 */
final class SingleNodeProcess implements AutoCloseable {
  private static final String READY = "OpenWit is ready";
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(5);

  final Process launcher;
  final Path output;

  private SingleNodeProcess(Process launcher, Path output) {
    this.launcher = launcher;
    this.output = output;
  }

  /** Starts {@code openwit local --config configFile}, output in {@code output}; waits until it says it is ready. */
  static SingleNodeProcess start(Path configFile, Path output) throws Exception {
    Process launcher = new ProcessBuilder(HttpApi.cliCommand("local", "--config", configFile.toString()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    SingleNodeProcess node = new SingleNodeProcess(launcher, output);
    try (RandomAccessFile printed = new RandomAccessFile(output.toFile(), "r")) {
      StringBuilder tail = new StringBuilder();
      Await.until(() -> {
        if (!launcher.isAlive()) {
          throw new AssertionError(
              "openwit local exited with " + launcher.exitValue() + " during startup; see " + output);
        }
        return readNew(printed, tail);
      }, STARTUP_TIMEOUT, "openwit local to say it is ready; see " + output);
    } catch (Exception | AssertionError e) {
      node.killWholeStack();
      throw e;
    }
    return node;
  }

  /** Appends what was printed since the last call to {@code tail} and says whether the ready line is in it. */
  private static boolean readNew(RandomAccessFile printed, StringBuilder tail) throws IOException {
    byte[] added = new byte[(int) (printed.length() - printed.getFilePointer())];
    printed.readFully(added);
    tail.append(new String(added, StandardCharsets.UTF_8));
    boolean ready = tail.indexOf(READY) >= 0;
    // only the end can hold the beginning of the ready line
    tail.delete(0, Math.max(0, tail.length() - READY.length()));
    return ready;
  }

  /**
   * SIGKILL to the launcher and every process it started, as a lost machine or the kernel's OOM
   * killer ends them: no shutdown hook runs. Returns once all of them are gone.
   */
  void killWholeStack() throws InterruptedException {
    // listed first: once the launcher is gone its children are no longer its descendants
    List<ProcessHandle> all = new ArrayList<>(launcher.descendants().toList());
    all.add(launcher.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    awaitGone(all);
  }

  /**
   * SIGKILL to the launcher JVM alone; the processes it started (Trino) get no signal. Returns
   * them, as they were just before the kill.
   */
  List<ProcessHandle> killLauncherOnly() throws InterruptedException {
    List<ProcessHandle> children = launcher.descendants().toList();
    launcher.destroyForcibly();
    awaitGone(List.of(launcher.toHandle()));
    return children;
  }

  private static void awaitGone(List<ProcessHandle> processes) throws InterruptedException {
    for (ProcessHandle process : processes) {
      try {
        process.onExit().get(1, TimeUnit.MINUTES);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("process " + process.pid() + " did not end after SIGKILL", e);
      }
    }
  }

  /** A regular stop (SIGTERM, the launcher's shutdown stops its parts), then SIGKILL to whatever is left. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> children = launcher.descendants().toList();
    launcher.destroy();
    if (!launcher.waitFor(2, TimeUnit.MINUTES)) {
      launcher.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
