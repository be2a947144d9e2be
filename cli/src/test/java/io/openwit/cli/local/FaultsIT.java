package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.otlp.OtlpBombs;
import io.openwit.query.trino.TrinoServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault suite, against real processes: hostile requests and SIGKILLs. Under a steady
 * OTLP/HTTP load from the OpenTelemetry SDK, OpenWit is killed with SIGKILL (no shutdown hook, as
 * the OOM killer or a lost machine ends it) and started again on the same data,
 * {@code openwit.crash.cycles} times per killed process (once by default, for CI's budget); at the
 * end every span whose export was acknowledged is in Trino exactly once, and no span at all is
 * stored twice. The single-node tests share one {@code openwit local} process tree, started by the
 * first of them and restarted by each kill; the cluster test runs first, before it exists.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
  private static final int CYCLES = Integer.getInteger("openwit.crash.cycles", 1);
  private static final long CHECKPOINT_INTERVAL_MS = 2_000;
  private static final int SPANS_PER_TICK = 20;
  /** Acknowledged spans each run of the stack takes before it is killed: the load reached it. */
  private static final int SPANS_PER_RUN = 1_000;
  /** 16 MB of 8 million empty log records: about 700 MB of heap each if decoded. */
  private static final int BOMB_RECORDS = 8_000_000;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path stackDir;
  private static OpenWitConfig stackConfig;
  private static SingleNodeProcess stack;
  private static int stackStarts;

  @AfterAll
  static void stopStack() throws InterruptedException {
    if (stack != null) {
      stack.close();
    }
  }

  /** The shared single-node stack, started on first use. */
  private static SingleNodeProcess stack() throws Exception {
    if (stack == null) {
      stackDir = Files.createTempDirectory("openwit-faults-");
      stackConfig = singleNodeConfig(stackDir);
      startStack();
    }
    return stack;
  }

  private static void startStack() throws Exception {
    stack = SingleNodeProcess.start(configFile(stackDir), stackDir.resolve("local-" + stackStarts++ + ".out"));
  }

  /**
   * Four 16 MB log bombs in parallel, and four more gzipped, against the whole {@code openwit
   * local} (receiver, Kafka, Flink, catalog and Trino launcher in one JVM of 2 GB): each is
   * refused by a limit it names, the JVM survives without an {@code OutOfMemoryError}, and
   * {@code /health/ready} answers 200 within a minute. Prints the launcher JVM's peak heap meanwhile.
   */
  @Test
  @Order(2)
  void parallelLogBombsLeaveTheSingleNodeStackAliveAndReadyWithinAMinute() throws Exception {
    SingleNodeProcess node = stack();
    String receiver = "http://127.0.0.1:" + stackConfig.receiver().httpPort();
    byte[] bomb = OtlpBombs.emptyLogRecords(BOMB_RECORDS);
    byte[] gzippedBomb = gzip(bomb);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    try (HeapSampler heap = HeapSampler.start(node.launcher.pid())) {
      for (int i = 0; i < 4; i++) {
        sent.add(postLogs(receiver, bomb, false));
        sent.add(postLogs(receiver, gzippedBomb, true));
      }
      for (CompletableFuture<HttpResponse<String>> answer : sent) {
        HttpResponse<String> refused = answer.join();
        assertThat(refused.statusCode()).as("answer to a bomb: %s", refused.body()).isEqualTo(413);
        assertThat(refused.body()).contains("(limits.max_items_per_request)");
      }
      long ready = System.nanoTime();
      Await.until(() -> answersReady(receiver + "/health/ready"), Duration.ofMinutes(1),
          "/health/ready to answer 200 after the bombs");
      System.out.printf("faults suite: %d bombs of %d bytes (%d gzipped) refused; launcher JVM peak heap %d MB"
              + " (sampled every %d ms); ready %d ms after the answers%n", sent.size(), bomb.length,
          gzippedBomb.length, heap.peakBytes() >> 20, HeapSampler.INTERVAL_MS,
          Duration.ofNanos(System.nanoTime() - ready).toMillis());
    }
    assertThat(node.launcher.isAlive()).as("the openwit local JVM").isTrue();
    assertThat(Files.readString(node.output)).doesNotContain("OutOfMemoryError");
    HttpResponse<String> normal = postLogs(receiver, oneLogRecord(), false).join();
    assertThat(normal.statusCode()).as("a normal request after the bombs: %s", normal.body()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void sigkilledSingleNodeStackKeepsEveryAcknowledgedSpanExactlyOnce() throws Exception {
    stack();
    String service = "crash-whole-stack";
    try (SteadySpanLoad load = new SteadySpanLoad(tracesEndpoint(stackConfig), service, SPANS_PER_TICK)) {
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        awaitMoreAcknowledged(load, SPANS_PER_RUN);
        stack.killWholeStack();
        startStack();
      }
      awaitMoreAcknowledged(load, SPANS_PER_RUN);
      load.close();
      assertEveryAcknowledgedSpanStoredOnce(trinoJdbcUrl(stackConfig), load, service, "whole single-node stack");
    }
  }

  @Test
  @Order(4)
  void sigkilledLauncherTakesItsChildrenAlongAndKeepsEveryAcknowledgedSpanExactlyOnce() throws Exception {
    stack();
    String service = "crash-launcher";
    List<ProcessHandle> leftBehind = new ArrayList<>();
    try (SteadySpanLoad load = new SteadySpanLoad(tracesEndpoint(stackConfig), service, SPANS_PER_TICK)) {
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        awaitMoreAcknowledged(load, SPANS_PER_RUN);
        List<ProcessHandle> children = stack.killLauncherOnly();
        assertThat(children).as("processes the launcher started (Trino)").isNotEmpty();
        leftBehind.addAll(children);
        // however the launcher dies, what it started ends with it, and no stale Trino holds the port
        Await.until(() -> children.stream().noneMatch(ProcessHandle::isAlive), Duration.ofMinutes(1),
            "the children of the killed launcher to exit: "
                + children.stream().map(child -> child.pid() + " " + child.info().command().orElse("")).toList());
        startStack();
      }
      awaitMoreAcknowledged(load, SPANS_PER_RUN);
      load.close();
      assertEveryAcknowledgedSpanStoredOnce(trinoJdbcUrl(stackConfig), load, service, "launcher alone");
    } finally {
      // a failed run leaves no orphan behind for the next test
      leftBehind.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Cluster mode, each part a process of its own: a Kafka broker, the catalog (SQLite metastore),
   * a receiver, and a Flink session cluster running the ingest job; in each cycle the receiver, the
   * TaskManager, the Kafka broker and the catalog are SIGKILLed in turn and started again.
   */
  @Test
  @Order(1)
  void sigkilledClusterPartsKeepEveryAcknowledgedSpanExactlyOnce() throws Exception {
    SharedEngines engines = SharedEngines.get();
    Path root = Files.createDirectories(engines.root.resolve("crash-cluster-" + System.nanoTime()));
    int kafkaPort = SharedEngines.freePort();
    int receiverPort = SharedEngines.freePort();
    OpenWitConfig config = SharedEngines.config(root, Map.of(
        "metastore.jdbc_url", Metastores.SQLITE.createEmpty(root),
        // where the shared Trino looks for the catalog
        "catalog.port", Integer.toString(engines.catalogPort),
        "receiver.http_port", Integer.toString(receiverPort),
        "receiver.json_http_port", Integer.toString(SharedEngines.freePort()),
        "receiver.grpc_port", Integer.toString(SharedEngines.freePort()),
        "ingestion.kafka.bootstrap_servers", "127.0.0.1:" + kafkaPort,
        "pipeline.checkpoint_interval_ms", Long.toString(CHECKPOINT_INTERVAL_MS)));
    String configFile = configFile(root).toString();
    Path testClasses = Path.of(FaultsIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (PartProcess kafka = PartProcess.start("kafka", HttpApi.javaCommand(List.of(testClasses),
            KafkaBrokerProcess.class.getName(), root.resolve("kafka").toString(), Integer.toString(kafkaPort),
            Integer.toString(SharedEngines.freePort())), root,
            output -> Files.readString(output).contains(KafkaBrokerProcess.READY));
        PartProcess catalog = PartProcess.start("catalog", HttpApi.cliCommand("catalog", "--config", configFile), root,
            output -> answersReady(config.catalogUri() + "/health/ready"));
        PartProcess receiver = PartProcess.start("receiver", HttpApi.cliCommand("receiver", "--config", configFile),
            root, output -> answersReady("http://127.0.0.1:" + receiverPort + "/health/ready"));
        FlinkSessionCluster flink = FlinkSessionCluster.start(root.resolve("flink"),
            Map.of("execution.checkpointing.dir", root.resolve("checkpoints").toUri().toString()), Map.of())) {
      Process taskManager = flink.startTaskManager();
      String jobId = FlinkClusterIT.submit(flink, configFile(root), "ingest", System.getProperty("ingest.job.jar"));
      Await.until(() -> FlinkClusterIT.allTasksRunning(flink, jobId), Duration.ofMinutes(2),
          "every task of the ingest job running");
      try (SteadySpanLoad load = new SteadySpanLoad(tracesEndpoint(config), "crash-cluster", SPANS_PER_TICK)) {
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
          awaitMoreAcknowledged(load, SPANS_PER_RUN);
          receiver.kill();
          receiver.startAgain();

          awaitMoreAcknowledged(load, SPANS_PER_RUN);
          flink.kill(taskManager);
          Await.until(() -> flink.taskManagerCount() == 0, Duration.ofMinutes(1),
              "the JobManager to drop the killed TaskManager");
          taskManager = flink.startTaskManager();

          for (PartProcess part : List.of(kafka, catalog)) {
            awaitMoreAcknowledged(load, SPANS_PER_RUN);
            part.kill();
            part.startAgain();
          }
        }
        awaitMoreAcknowledged(load, SPANS_PER_RUN);
        load.close();
        assertEveryAcknowledgedSpanStoredOnce(engines.trino.jdbcUrl(), load, "crash-cluster",
            "cluster mode (receiver, TaskManager, Kafka broker, catalog each killed per cycle)");
      }
    }
  }

  private static boolean answersReady(String url) throws InterruptedException {
    try {
      return HttpApi.get(url).status() == 200;
    } catch (IOException notListening) {
      return false;
    }
  }

  /** Waits for {@code count} more acknowledged spans, then a random part of two checkpoint intervals. */
  private static void awaitMoreAcknowledged(SteadySpanLoad load, int count) throws Exception {
    int before = load.acknowledged.size();
    long started = System.nanoTime();
    Await.until(() -> load.acknowledged.size() >= before + count, Duration.ofMinutes(2),
        count + " more acknowledged spans");
    System.out.printf("crash suite: %d more spans acknowledged in %d ms%n", count,
        Duration.ofNanos(System.nanoTime() - started).toMillis());
    // the kill lands anywhere between, during or right after a checkpoint and its commit
    Thread.sleep(ThreadLocalRandom.current().nextLong(2 * CHECKPOINT_INTERVAL_MS));
  }

  /**
   * Waits until Trino holds every acknowledged span, then two more checkpoints (a late duplicate
   * would land within them), prints the figures and checks that no span id is stored twice.
   */
  private static void assertEveryAcknowledgedSpanStoredOnce(
      String jdbcUrl, SteadySpanLoad load, String service, String crashed) throws Exception {
    Set<String> acknowledged = Set.copyOf(load.acknowledged);
    long waitStarted = System.nanoTime();
    long deadline = waitStarted + Duration.ofMinutes(3).toNanos();
    Set<String> missing = missing(acknowledged, storedCounts(jdbcUrl, service));
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      missing = missing(acknowledged, storedCounts(jdbcUrl, service));
    }
    long caughtUpSeconds = Duration.ofNanos(System.nanoTime() - waitStarted).toSeconds();
    Thread.sleep(2 * CHECKPOINT_INTERVAL_MS);
    Map<String, Long> stored = storedCounts(jdbcUrl, service);
    missing = missing(acknowledged, stored);
    Map<String, Long> duplicated = new HashMap<>();
    stored.forEach((spanId, copies) -> {
      if (copies > 1) {
        duplicated.put(spanId, copies);
      }
    });
    System.out.printf("crash suite, %s: %d cycles; spans created %d, acknowledged %d, failed %d; stored %d"
            + " (%d not acknowledged); acknowledged missing %d; duplicated %d;"
            + " all in Trino %d s after the load stopped%n",
        crashed, CYCLES, load.created(), acknowledged.size(), load.failed.get(), stored.size(),
        stored.keySet().stream().filter(spanId -> !acknowledged.contains(spanId)).count(), missing.size(),
        duplicated.size(), caughtUpSeconds);
    assertThat(acknowledged).as("acknowledged spans").hasSizeGreaterThan((CYCLES + 1) * SPANS_PER_RUN - 1);
    assertThat(missing).as("acknowledged spans missing from Trino").isEmpty();
    assertThat(duplicated).as("span ids stored more than once, with their copies").isEmpty();
  }

  private static Set<String> missing(Set<String> acknowledged, Map<String, Long> stored) {
    Set<String> missing = new HashSet<>(acknowledged);
    missing.removeAll(stored.keySet());
    return missing;
  }

  /** Every stored span id of {@code service} in the default tenant, with how many rows hold it. */
  private static Map<String, Long> storedCounts(String jdbcUrl, String service) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(jdbcUrl, TrinoServer.SERVICE_USER, null);
        PreparedStatement query = connection.prepareStatement(
            "SELECT span_id, count(*) FROM openwit.\"default\".spans WHERE service_name = ? GROUP BY span_id")) {
      query.setString(1, service);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return counts;
  }

  private static CompletableFuture<HttpResponse<String>> postLogs(String receiver, byte[] body, boolean gzipped) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver + "/v1/logs"))
        .header("Content-Type", "application/x-protobuf")
        .timeout(Duration.ofMinutes(2))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (gzipped) {
      request.header("Content-Encoding", "gzip");
    }
    return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] oneLogRecord() {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(System.currentTimeMillis() * 1_000_000L)
            .setBody(AnyValue.newBuilder().setStringValue("after the bombs")))))
        .build().toByteArray();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
      out.write(bytes);
    }
    return compressed.toByteArray();
  }

  /** A single-node configuration of its own ports under {@code dataDir}, written as its openwit.yaml. */
  private static OpenWitConfig singleNodeConfig(Path dataDir) {
    Map<String, String> settings = new HashMap<>(SharedEngines.ownPorts());
    settings.put("pipeline.checkpoint_interval_ms", Long.toString(CHECKPOINT_INTERVAL_MS));
    // what is checked is in the tables; the index job would only share the two cores
    settings.put("index.enabled", "false");
    return SharedEngines.config(dataDir, settings);
  }

  private static Path configFile(Path dataDir) {
    return dataDir.resolve("openwit.yaml");
  }

  private static String trinoJdbcUrl(OpenWitConfig config) {
    return "jdbc:trino://127.0.0.1:" + config.trino().port();
  }

  private static String tracesEndpoint(OpenWitConfig config) {
    return "http://127.0.0.1:" + config.receiver().httpPort() + "/v1/traces";
  }
}
