package io.openwit.query.trino;

import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trino as a child process: writes its {@code etc/} under the data directory with the Iceberg
 * catalog {@code openwit}, pointing at OpenWit's REST catalog, and the full-text catalog
 * {@code search} (the {@code openwit_search} connector over the query API), starts it on a Java 24+
 * runtime and waits until a real query succeeds. Catalogs are dynamic, so users add one
 * {@code openwit_search} catalog per tenant API key with {@code CREATE CATALOG}.
 */
public final class TrinoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoServer.class);
  public static final int MINIMUM_JAVA = 24;
  public static final String CATALOG = "openwit";
  public static final String SEARCH_CATALOG = "search";
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
  /** Returns a row once the coordinator counts itself as an active node. */
  private static final String NODE_ACTIVE = "SELECT 1 FROM system.runtime.nodes WHERE state = 'active'";

  private final Process process;
  private final int port;
  private final Path logFile;

  private TrinoServer(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  /** Starts Trino; ready once it counts itself as an active node (no table needed). */
  public static TrinoServer start(OpenWitConfig config) {
    return start(config, NODE_ACTIVE);
  }

  /**
   * Starts Trino; ready once {@code readinessQuery} succeeds. A query that scans a table of the
   * {@code openwit} catalog is the honest probe: Trino counts itself active a few seconds before
   * it schedules splits for that catalog ("No nodes available to run query").
   */
  public static TrinoServer start(OpenWitConfig config, String readinessQuery) {
    OpenWitConfig.Trino trino = config.trino();
    JavaRuntimes.Runtime java =
        JavaRuntimes.find(trino.javaHome(), System.getenv("JAVA_HOME"), Path.of("/usr/lib/jvm"), MINIMUM_JAVA);
    TrinoInstallation installation = TrinoInstallation.resolve(trino);
    Path root = config.dataPath().resolve("trino");
    Path etc = root.resolve("etc");
    Path logFile = root.resolve("var/log/server.log");
    try {
      writeConfiguration(etc, root, installation.home(), trino.port(), config.catalogUri(),
          "http://127.0.0.1:" + config.query().port());
      Files.createDirectories(logFile.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Trino configuration under " + etc, e);
    }

    List<String> command = new ArrayList<>(List.of(
        java.javaExecutable().toString(),
        "-server",
        "-Xmx" + trino.maxHeap(),
        "-XX:+UseG1GC",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:ReservedCodeCacheSize=256M",
        "-XX:PerMethodRecompilationCutoff=10000",
        "-XX:PerBytecodeRecompilationCutoff=10000",
        "-Djdk.attach.allowAttachSelf=true",
        "-Djdk.nio.maxCachedBufferSize=2000000",
        "-Dfile.encoding=UTF-8",
        "-XX:+EnableDynamicAgentLoading",
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        // Arrow, in the openwit_search connector, reads java.nio.Buffer's address field
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dconfig=" + etc.resolve("config.properties"),
        "-Dlog.levels-file=" + etc.resolve("log.properties"),
        "-cp", installation.home().resolve("lib") + "/*",
        "io.trino.server.TrinoServer"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Trino with " + java.javaExecutable(), e);
    }
    TrinoServer server = new TrinoServer(process, trino.port(), logFile);
    LOG.info("Trino starting on port {} with Java {} ({}); log: {}", trino.port(), java.featureVersion(), java.home(), logFile);
    server.awaitReady(readinessQuery);
    return server;
  }

  static void writeConfiguration(Path etc, Path root, Path trinoHome, int port, String catalogUri,
      String queryApiUri) throws IOException {
    Files.createDirectories(etc.resolve("catalog"));
    Path nodeIdFile = root.resolve("node.id");
    if (!Files.exists(nodeIdFile)) {
      Files.writeString(nodeIdFile, UUID.randomUUID().toString());
    }
    String nodeId = Files.readString(nodeIdFile).trim();
    write(etc.resolve("config.properties"),
        "node.environment=openwit",
        "node.id=" + nodeId,
        "node.internal-address=127.0.0.1",
        "coordinator=true",
        "node-scheduler.include-coordinator=true",
        "http-server.http.port=" + port,
        "discovery.uri=http://127.0.0.1:" + port,
        "http-server.log.enabled=false",
        "plugin.dir=" + trinoHome.resolve("plugin"),
        "catalog.management=dynamic",
        "catalog.store=file");
    // the file catalog store reads its settings from etc/catalog-store.properties (Trino's working directory is root)
    write(etc.resolve("catalog-store.properties"), "catalog.config-dir=" + etc.resolve("catalog"));
    write(etc.resolve("log.properties"), "io.trino=INFO");
    // Trino resolves file: locations under local.location, so it must be the filesystem root.
    write(etc.resolve("catalog").resolve(CATALOG + ".properties"),
        "connector.name=iceberg",
        "iceberg.catalog.type=rest",
        "iceberg.rest-catalog.uri=" + catalogUri,
        "fs.native-local.enabled=true",
        "local.location=/");
    write(etc.resolve("catalog").resolve(SEARCH_CATALOG + ".properties"),
        "connector.name=openwit_search",
        "openwit.query-api-uri=" + queryApiUri);
  }

  private static void write(Path file, String... lines) throws IOException {
    Files.writeString(
        file, "# Written by OpenWit at every start; change openwit.yaml instead.\n" + String.join("\n", lines) + "\n");
  }

  private void awaitReady(String readinessQuery) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Trino exited with code " + process.exitValue() + " during startup; see " + logFile);
      }
      try (Connection connection = connect();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(readinessQuery)) {
        if (rows.next()) {
          LOG.info("Trino ready at {}", jdbcUrl());
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for Trino", e);
      }
    }
    close();
    throw new IllegalStateException(
        "Trino did not become ready within " + STARTUP_TIMEOUT.toSeconds() + " s; see " + logFile, last);
  }

  public Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "openwit");
    return DriverManager.getConnection(jdbcUrl(), properties);
  }

  public String jdbcUrl() {
    return "jdbc:trino://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Whether the Trino process still runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
