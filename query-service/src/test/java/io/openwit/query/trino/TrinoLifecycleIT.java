package io.openwit.query.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trino as the child of a launcher that may die any way: real Trino processes, launched by a real
 * launcher JVM ({@link TrinoLauncher}) where a test must kill one.
 */
class TrinoLifecycleIT {
  /** How long Trino may outlive its launcher: the agent notices within seconds, then Trino stops. */
  private static final Duration ORPHAN_LIFETIME = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  private final List<Process> launchers = new ArrayList<>();
  private final List<AutoCloseable> servers = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable server : servers) {
      server.close();
    }
    for (Process launcher : launchers) {
      launcher.destroyForcibly().waitFor();
    }
  }

  @Test
  void trinoExitsWhenItsLauncherIsKilled() throws Exception {
    OpenWitConfig config = config(dataDir, freePort());
    Process launcher = launch(config);
    ProcessHandle trino = trinoOf(config);

    long killed = System.nanoTime();
    launcher.destroyForcibly().waitFor();
    boolean exited = awaitExit(trino, ORPHAN_LIFETIME);
    double seconds = (System.nanoTime() - killed) / 1e9;

    assertThat(exited).as("Trino pid %d still runs %s after SIGKILL of its launcher", trino.pid(), ORPHAN_LIFETIME)
        .isTrue();
    System.out.printf("Trino exited %.1f s after its launcher was killed%n", seconds);
  }

  @Test
  void aStartStopsTheTrinoItsPidFileNames() throws Exception {
    int port = freePort();
    OpenWitConfig config = config(dataDir, port);
    launch(config);
    ProcessHandle leftover = trinoOf(config);

    TrinoServer next = started(config);

    assertThat(leftover.isAlive()).as("the Trino of the earlier start, pid %d", leftover.pid()).isFalse();
    assertThat(Long.parseLong(Files.readString(pidFile(config)).trim())).isNotEqualTo(leftover.pid());
    assertThat(answersQueries(next)).isTrue();
  }

  @Test
  void anEarlierTrinoOfTheSameDirectoryOnThePortIsNotTakenForTheNewOne() throws Exception {
    OpenWitConfig config = config(dataDir, freePort());
    launch(config);
    ProcessHandle earlier = trinoOf(config);
    // as after a launcher that kept no pid file: nothing tells the next start about this Trino
    Files.delete(pidFile(config));

    assertThatThrownBy(() -> started(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("port " + config.trino().port() + " is answered by another Trino")
        .hasMessageContaining("not the one just started");
    assertThat(earlier.isAlive()).as("the other Trino is not ours to stop").isTrue();
  }

  @Test
  void aForeignProcessOnThePortFailsTheStartNamingThePort() throws Exception {
    int port = freePort();
    OpenWitConfig config = config(dataDir, port);
    try (ServerSocket foreign = new ServerSocket(port, 50, InetAddress.getByName("0.0.0.0"))) {
      assertThatThrownBy(() -> started(config))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Trino exited with code")
          .hasMessageContaining("port " + port + " is held by another process");
    }
    assertThat(pidFile(config)).doesNotExist();
  }

  private TrinoServer started(OpenWitConfig config) {
    TrinoServer server = TrinoServer.start(config);
    servers.add(server);
    return server;
  }

  /** Starts a launcher JVM running Trino for {@code config}; returns once it says Trino is ready. */
  private Process launch(OpenWitConfig config) throws IOException, InterruptedException {
    Path output = config.dataPath().resolve("launcher-" + launchers.size() + ".out");
    Process launcher = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
        "-cp", System.getProperty("java.class.path"), TrinoLauncher.class.getName(),
        config.dataPath().resolve("openwit.yaml").toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    launchers.add(launcher);
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (System.nanoTime() < deadline && launcher.isAlive()) {
      if (Files.readAllLines(output, StandardCharsets.UTF_8).stream().anyMatch(line -> line.startsWith("ready "))) {
        return launcher;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the launcher's Trino was not ready within 4 minutes; its output:\n"
        + Files.readString(output));
  }

  private static ProcessHandle trinoOf(OpenWitConfig config) throws IOException {
    long pid = Long.parseLong(Files.readString(pidFile(config)).trim());
    return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
  }

  private static Path pidFile(OpenWitConfig config) {
    return config.dataPath().resolve("trino").resolve(TrinoServer.PID_FILE);
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean answersQueries(TrinoServer trino) throws SQLException {
    try (Connection connection = trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM system.runtime.nodes")) {
      return rows.next() && rows.getLong(1) == 1;
    }
  }

  private static OpenWitConfig config(Path dataDir, int trinoPort) {
    try {
      Path file = dataDir.resolve("openwit.yaml");
      Files.writeString(file, "data_dir: " + dataDir + "\ntrino:\n  port: " + trinoPort + "\n");
      return ConfigLoader.load(file, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A free port below Linux's ephemeral range, where no outgoing connection takes it meanwhile. */
  private static int freePort() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        continue;
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 after 1000 attempts");
  }
}
