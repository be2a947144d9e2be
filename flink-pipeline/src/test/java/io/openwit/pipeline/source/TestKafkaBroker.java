package io.openwit.pipeline.source;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft) for the pipeline's tests, started on first use and
 * shared by every test of the run (tests keep apart by using their own topics and groups).
 */
final class TestKafkaBroker {
  private static final int NODE_ID = 1;
  private static String bootstrapServers;

  private TestKafkaBroker() {}

  /** Client settings for the broker. */
  static synchronized Properties clientConfig() {
    if (bootstrapServers == null) {
      bootstrapServers = start();
    }
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return properties;
  }

  private static String start() {
    try {
      Path logDir = Files.createTempDirectory("pipeline-test-kafka");
      int port = unusedPort();
      int controllerPort = unusedPort();
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir.toString())
          .setDirectories(List.of(logDir.toString()))
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
      Properties properties = new Properties();
      properties.put("process.roles", "broker,controller");
      properties.put("node.id", Integer.toString(NODE_ID));
      properties.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
      properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      properties.put("controller.listener.names", "CONTROLLER");
      properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      properties.put("inter.broker.listener.name", "PLAINTEXT");
      properties.put("log.dirs", logDir.toString());
      properties.put("auto.create.topics.enable", "false");
      properties.put("offsets.topic.replication.factor", "1");
      properties.put("offsets.topic.num.partitions", "1");
      properties.put("transaction.state.log.replication.factor", "1");
      properties.put("transaction.state.log.min.isr", "1");
      properties.put("share.coordinator.state.topic.replication.factor", "1");
      properties.put("share.coordinator.state.topic.min.isr", "1");
      properties.put("group.initial.rebalance.delay.ms", "0");
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
      server.startup();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.shutdown();
        server.awaitShutdown();
      }, "test-kafka-shutdown"));
      return "127.0.0.1:" + port;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test Kafka broker", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the test Kafka broker's log directory", e);
    }
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
