package io.openwit.common.kafka;

import io.openwit.common.config.OpenWitConfig;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The dead-letter topic ({@code ingestion.kafka.topics.dead_letter}), where the ingest job puts the
 * records it cannot read and the index job the data files it cannot index: created when missing, keeping
 * records {@code ingestion.kafka.wal_retention_ms} like the write-ahead log, and room for a dead
 * letter as large as the largest request the receiver accepts plus its headers.
 */
public final class DeadLetterTopic {
  /** Room for the original headers and the dead-letter headers on top of the value. */
  private static final int HEADER_ROOM_BYTES = 128 * 1024;

  private DeadLetterTopic() {}

  /** The largest value a dead letter keeps: the receiver's request limit. */
  public static int maxValueBytes(OpenWitConfig config) {
    return Math.toIntExact(config.receiver().maxRequestBytes());
  }

  private static int maxRecordBytes(OpenWitConfig config) {
    return maxValueBytes(config) + HEADER_ROOM_BYTES;
  }

  /** What the dead-letter sink's producer starts from. */
  public static Properties producerConfig(OpenWitConfig config) {
    Properties properties = config.ingestion().kafka().clientConfig();
    properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(maxRecordBytes(config)));
    return properties;
  }

  /** Creates the topic with one partition when the cluster has none of that name. */
  public static void ensure(OpenWitConfig config) {
    OpenWitConfig.Kafka kafka = config.ingestion().kafka();
    String topic = kafka.topics().deadLetter();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (existing.contains(topic)) {
        return;
      }
      NewTopic deadLetters = new NewTopic(topic, 1, (short) -1).configs(Map.of(
          "retention.ms", Long.toString(kafka.walRetentionMs()),
          "max.message.bytes", Integer.toString(maxRecordBytes(config))));
      admin.createTopics(List.of(deadLetters)).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create the dead-letter topic " + topic + ": " + e.getCause(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the dead-letter topic " + topic, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + kafka.bootstrapServers() + " did not answer within 30 s", e);
    }
  }
}
