package io.openwit.receiver.kafka;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka as the write-ahead log: one record per accepted OTLP request, acknowledged to the client
 * only once every in-sync replica has it (acks=all, idempotent producer).
 */
public final class KafkaWal implements AutoCloseable {
  /** Room for record headers and batch framing on top of the largest request body. */
  private static final int RECORD_OVERHEAD_BYTES = 64 * 1024;
  private static final int LINGER_MS = 2;
  private static final int ADMIN_TIMEOUT_SECONDS = 30;
  /** From this many brokers on, the topics are created replicated. */
  private static final int CLUSTER_BROKERS = 3;
  private static final short CLUSTER_REPLICATION = 3;
  private static final int CLUSTER_MIN_IN_SYNC_REPLICAS = 2;
  private static final Logger LOG = LoggerFactory.getLogger(KafkaWal.class);

  private final KafkaProducer<byte[], byte[]> producer;
  /** The brokers and the client properties (SASL, TLS) every client here starts from. */
  private final Properties clientConfig;
  private final OpenWitConfig.Topics topics;
  private final List<String> topicNames;
  private final int maxRecordBytes;
  private final long retentionMs;

  public KafkaWal(OpenWitConfig config) {
    OpenWitConfig.Kafka kafka = config.ingestion().kafka();
    this.clientConfig = kafka.clientConfig();
    this.topics = kafka.topics();
    this.retentionMs = kafka.walRetentionMs();
    this.topicNames = Arrays.stream(Signal.values()).map(topics::of).toList();
    this.maxRecordBytes = Math.toIntExact(config.receiver().maxRequestBytes() + RECORD_OVERHEAD_BYTES);
    Properties properties = kafka.clientConfig();
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
    // A request the client is waiting on fails within receiver.kafka_ack_timeout_ms; Kafka requires
    // delivery.timeout.ms >= linger.ms + request.timeout.ms.
    int timeoutMs = Math.toIntExact(config.receiver().kafkaAckTimeoutMs());
    int requestTimeoutMs = Math.max(1, Math.min(timeoutMs / 2, 10_000));
    properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
    properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, LINGER_MS + requestTimeoutMs));
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, requestTimeoutMs);
    this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Creates the signal topics if missing, sized for the largest request the receiver accepts and
   * keeping records {@code ingestion.kafka.wal_retention_ms}: Kafka is the write-ahead log, so the
   * topics never elect a replica that may lack acknowledged records, and on a cluster of three
   * brokers or more they are replicated three times and acknowledge a write once two replicas have
   * it. Topics that exist are left as they are; answers those of them that keep records for less
   * than the configured retention (a warning is logged for each), as data may be deleted unread.
   */
  public List<String> ensureTopics(int partitions) {
    Properties properties = new Properties();
    properties.putAll(clientConfig);
    try (Admin admin = Admin.create(properties)) {
      int brokers = admin.describeCluster().nodes().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).size();
      Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      boolean replicated = brokers >= CLUSTER_BROKERS;
      List<NewTopic> missing =
          topicNames.stream()
              .filter(topic -> !existing.contains(topic))
              .map(topic -> new NewTopic(topic, Optional.of(partitions),
                      replicated ? Optional.of(CLUSTER_REPLICATION) : Optional.empty())
                  .configs(topicConfigs(brokers)))
              .toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // another receiver starting at the same time created them first
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      return retainingLessThanConfigured(admin, topicNames.stream().filter(existing::contains).toList());
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create Kafka topics " + topicNames + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + clientConfig.get("bootstrap.servers") + " did not answer within "
          + ADMIN_TIMEOUT_SECONDS + " s", e);
    }
  }

  /** The configuration of a topic this receiver creates on a cluster of {@code brokers} brokers. */
  Map<String, String> topicConfigs(int brokers) {
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecordBytes));
    configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
    configs.put(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
    if (brokers >= CLUSTER_BROKERS) {
      configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(CLUSTER_MIN_IN_SYNC_REPLICAS));
    }
    return configs;
  }

  private List<String> retainingLessThanConfigured(Admin admin, List<String> topics)
      throws ExecutionException, InterruptedException, TimeoutException {
    if (topics.isEmpty()) {
      return List.of();
    }
    List<ConfigResource> resources =
        topics.stream().map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
    Map<ConfigResource, Config> configs =
        admin.describeConfigs(resources).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<String> shortRetention = new ArrayList<>();
    for (ConfigResource resource : resources) {
      ConfigEntry retention = configs.get(resource).get(TopicConfig.RETENTION_MS_CONFIG);
      long topicRetentionMs = retention == null || retention.value() == null ? -1 : Long.parseLong(retention.value());
      // -1: kept forever
      if (topicRetentionMs >= 0 && topicRetentionMs < retentionMs) {
        LOG.warn("Kafka topic {} keeps records for {} ms, less than ingestion.kafka.wal_retention_ms ({} ms): records"
                + " the pipeline has not read by then are deleted unread; raise the topic's retention.ms",
            resource.name(), topicRetentionMs, retentionMs);
        shortRetention.add(resource.name());
      }
    }
    return shortRetention;
  }

  /** Completes once Kafka acknowledged the record, or exceptionally when it could not. */
  public CompletableFuture<RecordMetadata> append(
      Signal signal, String tenant, String batchId, String encoding, byte[] payload) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topics.of(signal),
            (Integer) null,
            (byte[]) null,
            payload,
            List.<org.apache.kafka.common.header.Header>of(
                header(RecordHeaders.TENANT, tenant),
                header(RecordHeaders.SIGNAL, signal.headerValue()),
                header(RecordHeaders.BATCH_ID, batchId),
                header(RecordHeaders.ENCODING, encoding)));
    CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              acknowledged.completeExceptionally(error);
            } else {
              acknowledged.complete(metadata);
            }
          });
    } catch (RuntimeException e) {
      acknowledged.completeExceptionally(e);
    }
    return acknowledged;
  }

  /** Whether the Kafka cluster answers within a few seconds. */
  public boolean isReachable() {
    Properties properties = new Properties();
    properties.putAll(clientConfig);
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
    try (Admin admin = Admin.create(properties)) {
      admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static RecordHeader header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
