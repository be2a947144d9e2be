package io.openwit.pipeline.source;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells whether a jump in a partition's offsets lost records. Kafka's consumer, finding the offset
 * it should read already deleted by retention, silently resets to the earliest one left (the reset
 * strategy Flink's KafkaSource gives it): what the job then reads starts past where it stopped. A
 * jump alone proves nothing (transaction markers and compaction leave gaps too), so the partition's
 * earliest offset decides: when it is past the offset the job expected, every offset from there
 * to the one read is lost (with starting_offsets latest the reset even skips records still there).
 * A job with no checkpoint to resume has no expected offset; the consumer group's committed offset
 * (where the last job of the group stopped) stands in for it.
 */
final class LostOffsets implements AutoCloseable {
  private static final int TIMEOUT_SECONDS = 10;

  /**
   * Offsets {@code first..last} of {@code partition} were never read: those before {@code earliest}
   * deleted, the rest skipped by the consumer's reset.
   */
  record Range(String topic, int partition, long first, long last, long earliest) {
    long count() {
      return last - first + 1;
    }
  }

  private final Properties clientConfig;
  private final String consumerGroup;
  private Admin admin;

  LostOffsets(Properties clientConfig, String consumerGroup) {
    this.clientConfig = clientConfig;
    this.consumerGroup = consumerGroup;
  }

  /**
   * The lost offsets between {@code expected} (the next offset the job should have read) and
   * {@code read} (the one it did read), if any.
   */
  Optional<Range> between(String topic, int partition, long expected, long read)
      throws ExecutionException, TimeoutException, InterruptedException {
    long earliest = earliest(new TopicPartition(topic, partition));
    if (earliest <= expected) {
      return Optional.empty();
    }
    return Optional.of(new Range(topic, partition, expected, read - 1, earliest));
  }

  /**
   * The offsets of {@code partition} that Kafka deleted after the consumer group committed its
   * offset there and before a job of the group read them, {@code read} being the first offset
   * this job read; none where the group never committed one (nothing was read there, so nothing
   * promised). Only what retention deleted counts: records still there that the job skips on
   * purpose (starting_offsets latest) are not lost.
   */
  Optional<Range> sinceCommitted(String topic, int partition, long read)
      throws ExecutionException, TimeoutException, InterruptedException {
    TopicPartition topicPartition = new TopicPartition(topic, partition);
    OffsetAndMetadata committed = admin().listConsumerGroupOffsets(consumerGroup).partitionsToOffsetAndMetadata()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topicPartition);
    if (committed == null || read <= committed.offset()) {
      return Optional.empty();
    }
    long earliest = earliest(topicPartition);
    if (earliest <= committed.offset()) {
      return Optional.empty();
    }
    return Optional.of(new Range(topic, partition, committed.offset(), Math.min(earliest, read) - 1, earliest));
  }

  private long earliest(TopicPartition topicPartition)
      throws ExecutionException, TimeoutException, InterruptedException {
    return admin().listOffsets(Map.of(topicPartition, OffsetSpec.earliest())).all()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topicPartition).offset();
  }

  private Admin admin() {
    if (admin == null) {
      Properties properties = new Properties();
      properties.putAll(clientConfig);
      properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1_000);
      properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1_000);
      admin = Admin.create(properties);
    }
    return admin;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
  }
}
