package io.openwit.cli.local;

import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.query.trino.TrinoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The engines every integration test in this JVM shares, started once: one Kafka broker, one Flink
 * MiniCluster and one Trino server. Trino's {@code openwit} catalog points at a fixed port where
 * each test class starts its own catalog server (PostgreSQL or SQLite backed), one class at a time.
 */
final class SharedEngines {
  /**
   * One service key for every configuration of this JVM: the shared Trino reaches each test's
   * catalog with it, whatever data directory that test uses.
   */
  static final Path SERVICE_KEY_FILE = serviceKeyFile();
  private static SharedEngines instance;

  final Path root;
  final EmbeddedKafka kafka;
  final LocalFlink flink;
  final TrinoServer trino;
  final int catalogPort;

  private SharedEngines(Path root, EmbeddedKafka kafka, LocalFlink flink, TrinoServer trino, int catalogPort) {
    this.root = root;
    this.kafka = kafka;
    this.flink = flink;
    this.trino = trino;
    this.catalogPort = catalogPort;
  }

  static synchronized SharedEngines get() {
    if (instance == null) {
      instance = start();
      Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "shared-engines-stop"));
    }
    return instance;
  }

  private static SharedEngines start() {
    try {
      Path root = Files.createTempDirectory("openwit-it-");
      int catalogPort = freePort();
      EmbeddedKafka kafka = EmbeddedKafka.start(root.resolve("kafka"), freePort(), freePort());
      LocalFlink flink = LocalFlink.start(root.resolve("flink"), "127.0.0.1", freePort());
      OpenWitConfig trinoConfig = config(root.resolve("shared"), Map.of(
          "catalog.port", Integer.toString(catalogPort),
          "trino.port", Integer.toString(freePort())));
      // the shared Trino reaches every test's catalog with the one service key of this JVM
      ServiceCredential.ensure(trinoConfig);
      TrinoServer trino = TrinoServer.start(trinoConfig);
      return new SharedEngines(root, kafka, flink, trino, catalogPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stop() {
    trino.close();
    try {
      flink.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the Flink MiniCluster", e);
    }
    kafka.close();
  }

  /**
   * An OpenWit configuration for {@code dataDir}, written as openwit.yaml and read by the real
   * loader; {@code settings} maps dotted key paths (e.g. {@code ingestion.kafka.topics.traces}) to values.
   */
  @SuppressWarnings("unchecked")
  static OpenWitConfig config(Path dataDir, Map<String, String> settings) {
    Map<String, Object> tree = new TreeMap<>();
    tree.put("data_dir", dataDir.toString());
    tree.put("auth", new TreeMap<String, Object>(Map.of("service_key_file", SERVICE_KEY_FILE.toString())));
    settings.forEach((key, value) -> {
      String[] path = key.split("\\.");
      Map<String, Object> node = tree;
      for (int level = 0; level < path.length - 1; level++) {
        node = (Map<String, Object>) node.computeIfAbsent(path[level], ignored -> new TreeMap<String, Object>());
      }
      node.put(path[path.length - 1], structured(value));
    });
    try {
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve("openwit.yaml");
      Files.writeString(file, new YAMLMapper().writeValueAsString(tree));
      return ConfigLoader.load(file, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path serviceKeyFile() {
    try {
      return Files.createTempDirectory("openwit-it-keys-").resolve("service.key");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A value written as a JSON list or object becomes YAML structure; anything else stays a string. */
  private static Object structured(String value) {
    if (!value.startsWith("[") && !value.startsWith("{")) {
      return value;
    }
    try {
      return new YAMLMapper().readValue(value, Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + value, e);
    }
  }

  /** Every port setting of a whole single-node OpenWit, each a free port, for a stack of its own. */
  static Map<String, String> ownPorts() {
    Map<String, String> ports = new TreeMap<>();
    for (String key : List.of("embedded_kafka.port", "embedded_kafka.controller_port", "catalog.port",
        "receiver.http_port", "receiver.json_http_port", "receiver.grpc_port", "flink.dashboard_port", "trino.port",
        "query.port")) {
      ports.put(key, Integer.toString(freePort()));
    }
    return ports;
  }

  /**
   * A port free now, below Linux's ephemeral range (32768 and up): a port the OS hands out for
   * binding to 0 can meanwhile become the local end of an outgoing connection (Kafka clients,
   * JDBC), which then makes the server meant for it fail with "address already in use".
   */
  static int freePort() {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // in use: the next attempt tries another port
        continue;
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000 after 1000 attempts");
  }
}
