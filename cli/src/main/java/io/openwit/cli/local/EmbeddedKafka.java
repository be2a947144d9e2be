package io.openwit.cli.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka broker (KRaft, broker and controller in one) inside this JVM, for single-node
 * mode. Its log directory is formatted once and kept, so a restart keeps every record.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final int NODE_ID = 1;

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  public static EmbeddedKafka start(Path logDirectory, int port, int controllerPort) {
    return start(logDirectory, port, controllerPort, Map.of());
  }

  /**
   * As {@link #start(Path, int, int)}, with broker properties that {@code overrides} replace or add
   * (another listener, SASL settings); clients are told of the PLAINTEXT listener on {@code port}.
   */
  public static EmbeddedKafka start(Path logDirectory, int port, int controllerPort, Map<String, String> overrides) {
    String logDir = logDirectory.toAbsolutePath().toString();
    try {
      Files.createDirectories(logDirectory);
      formatIfNew(logDir, controllerPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka log directory " + logDir, e);
    }
    Properties properties = new Properties();
    properties.put("process.roles", "broker,controller");
    properties.put("node.id", Integer.toString(NODE_ID));
    properties.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    properties.put("controller.listener.names", "CONTROLLER");
    properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    properties.put("inter.broker.listener.name", "PLAINTEXT");
    properties.put("log.dirs", logDir);
    properties.put("num.partitions", "2");
    properties.put("auto.create.topics.enable", "false");
    properties.put("offsets.topic.replication.factor", "1");
    properties.put("offsets.topic.num.partitions", "4");
    properties.put("transaction.state.log.replication.factor", "1");
    properties.put("transaction.state.log.min.isr", "1");
    properties.put("share.coordinator.state.topic.replication.factor", "1");
    properties.put("share.coordinator.state.topic.min.isr", "1");
    properties.put("group.initial.rebalance.delay.ms", "0");
    properties.put("min.insync.replicas", "1");
    properties.putAll(overrides);
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, "127.0.0.1:" + port);
  }

  private static void formatIfNew(String logDir, int controllerPort) throws IOException {
    MetaPropertiesEnsemble ensemble =
        new MetaPropertiesEnsemble.Loader().addLogDirs(List.of(logDir)).addMetadataLogDir(logDir).load();
    if (!ensemble.errorLogDirs().isEmpty()) {
      throw new IllegalStateException("unreadable Kafka meta.properties in " + ensemble.errorLogDirs());
    }
    if (ensemble.emptyLogDirs().isEmpty()) {
      return;
    }
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(ensemble.clusterId().orElseGet(() -> Uuid.randomUuid().toString()))
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir)
          .setDirectories(List.of(logDir))
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setIgnoreFormatted(true)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the Kafka log directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
