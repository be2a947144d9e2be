package io.openwit.receiver;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Real single-node Kafka brokers (KRaft) for the receiver's tests: one started on first use and
 * shared by every test of the run (tests keep apart by using their own topics), and brokers of
 * their own for tests that stop them.
 */
public final class TestKafka {
  private static final int NODE_ID = 1;
  private static Broker shared;

  private TestKafka() {}

  /** A running broker; closing it again does nothing. */
  public static final class Broker implements AutoCloseable {
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String directBootstrapServers;
    private final int clientPort;
    private final AtomicBoolean stopped = new AtomicBoolean();

    Broker(KafkaRaftServer server, String bootstrapServers, String directBootstrapServers, int clientPort) {
      this.server = server;
      this.bootstrapServers = bootstrapServers;
      this.directBootstrapServers = directBootstrapServers;
      this.clientPort = clientPort;
    }

    /** Where clients reach the broker: through the proxy in front of it, if it has one. */
    public String bootstrapServers() {
      return bootstrapServers;
    }

    /** Where a test reaches the broker past any proxy, to see what it holds. */
    public String directBootstrapServers() {
      return directBootstrapServers;
    }

    /** The port the broker serves its clients on, where a proxy in front of it forwards to. */
    public int clientPort() {
      return clientPort;
    }

    @Override
    public void close() {
      if (stopped.compareAndSet(false, true)) {
        server.shutdown();
        server.awaitShutdown();
      }
    }
  }

  public static synchronized String bootstrapServers() {
    if (shared == null) {
      Broker broker = start();
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-kafka-shutdown"));
      shared = broker;
    }
    return shared.bootstrapServers();
  }

  /** A client of the broker, for a test to inspect it. */
  public static Admin admin() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(properties);
  }

  public static void createTopic(String topic, Map<String, String> configs) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
    }
  }

  /** Records written to {@code topic} so far, over all its partitions. */
  public static long recordCount(String topic) {
    return recordCount(bootstrapServers(), topic);
  }

  /** Records written to {@code topic} of the broker at {@code bootstrapServers} so far. */
  public static long recordCount(String bootstrapServers, String topic) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(partition -> new TopicPartition(topic, partition.partition())).toList();
      return consumer.endOffsets(partitions, Duration.ofSeconds(30)).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public static Broker start() {
    return start(0);
  }

  /**
   * A broker that tells its clients to reach it at {@code advertisedPort}, where the test puts a
   * proxy forwarding to {@link Broker#clientPort()}; the broker itself and the test's own clients
   * use a second listener past the proxy ({@link Broker#directBootstrapServers()}).
   */
  public static Broker startBehindProxy(int advertisedPort) {
    return start(advertisedPort);
  }

  /** {@code proxyPort} 0: no proxy, clients reach the broker directly. */
  private static Broker start(int proxyPort) {
    try {
      Path logDir = Files.createTempDirectory("receiver-test-kafka");
      int port = unusedPort();
      int controllerPort = unusedPort();
      int clientPort = proxyPort == 0 ? port : unusedPort();
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
      String listeners = "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
      String advertised = "PLAINTEXT://127.0.0.1:" + port;
      if (proxyPort != 0) {
        listeners += ",PROXIED://127.0.0.1:" + clientPort;
        advertised += ",PROXIED://127.0.0.1:" + proxyPort;
      }
      properties.put("listeners", listeners);
      properties.put("advertised.listeners", advertised);
      properties.put("controller.listener.names", "CONTROLLER");
      properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT");
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
      String direct = "127.0.0.1:" + port;
      return new Broker(server, proxyPort == 0 ? direct : "127.0.0.1:" + proxyPort, direct, clientPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test Kafka broker", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the test Kafka broker's log directory", e);
    }
  }

  /** A topic name no other test uses. */
  public static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
