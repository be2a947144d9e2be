package io.openwit.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openwit.common.config.OpenWitConfig;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * How many records the dead-letter topic holds, from its partitions' earliest and latest offsets:
 * the ingest job's (records it cannot read) and the index job's (data files it cannot index). Both
 * write it without transactions, so every offset between is one record.
 */
final class DeadLetters {
  private static final int TIMEOUT_SECONDS = 5;

  private DeadLetters() {}

  /** {@code {"topic": ..., "records": n}}, or {@code {"topic": ..., "error": ...}} when Kafka cannot tell. */
  static ObjectNode count(OpenWitConfig.Kafka kafka) {
    String topic = kafka.topics().deadLetter();
    ObjectNode answer = JsonNodeFactory.instance.objectNode().put("topic", topic);
    Properties properties = kafka.clientConfig();
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1_000);
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1_000);
    try (Admin admin = Admin.create(properties)) {
      TopicDescription description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> partitions = description.partitions().stream()
          .map(partition -> new TopicPartition(topic, partition.partition()))
          .collect(Collectors.toMap(Function.identity(), partition -> OffsetSpec.earliest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest =
          admin.listOffsets(partitions).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      partitions.replaceAll((partition, spec) -> OffsetSpec.latest());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest =
          admin.listOffsets(partitions).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      long records = partitions.keySet().stream()
          .mapToLong(partition -> latest.get(partition).offset() - earliest.get(partition).offset())
          .sum();
      return answer.put("records", records);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        // the ingest and index jobs create it when they start
        return answer.put("records", 0);
      }
      return answer.put("error", "Kafka at " + kafka.bootstrapServers() + " cannot tell: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      return answer.put("error", "Kafka at " + kafka.bootstrapServers() + " did not answer within "
          + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the dead-letter topic's offsets", e);
    }
  }
}
