package io.openwit.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.receiver.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real broker: which skipped offsets are lost, from the offset a checkpoint expected or,
 * for a job started afresh, from the consumer group's committed offset. Each test has a partition
 * of ten records (offsets 0..9) of its own, Kafka having deleted those before offset 6.
 */
class LostOffsetsTest {
  private static final long DELETED_BEFORE = 6;

  private final String group = "pipeline-" + UUID.randomUUID();
  private TopicPartition partition;
  private Admin admin;
  private LostOffsets lostOffsets;

  @BeforeEach
  void tenRecordsTheFirstSixDeleted() throws Exception {
    Properties clientConfig = new Properties();
    clientConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
    admin = Admin.create(clientConfig);
    partition = new TopicPartition("wal-" + UUID.randomUUID(), 0);
    admin.createTopics(List.of(new NewTopic(partition.topic(), 1, (short) 1))).all().get();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(clientConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, new byte[] {(byte) i}))
            .get();
      }
    }
    admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(DELETED_BEFORE))).all().get();
    lostOffsets = new LostOffsets(clientConfig, group);
  }

  @AfterEach
  void close() {
    lostOffsets.close();
    admin.close();
  }

  private void commit(long offset) throws Exception {
    admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(offset))).all().get();
  }

  private Optional<LostOffsets.Range> sinceCommitted(long read) throws Exception {
    return lostOffsets.sinceCommitted(partition.topic(), partition.partition(), read);
  }

  @Test
  void offsetsDeletedBetweenTheExpectedOneAndTheOneReadAreLost() throws Exception {
    assertThat(lostOffsets.between(partition.topic(), partition.partition(), 2, DELETED_BEFORE))
        .contains(new LostOffsets.Range(partition.topic(), 0, 2, 5, DELETED_BEFORE));
  }

  @Test
  void aJumpPastOffsetsKafkaStillHoldsLosesNothing() throws Exception {
    assertThat(lostOffsets.between(partition.topic(), partition.partition(), 7, 9)).isEmpty();
  }

  @Test
  void aFreshJobReadingPastTheGroupsDeletedCommittedOffsetFindsTheDeletedOffsetsLost() throws Exception {
    commit(2);

    assertThat(sinceCommitted(DELETED_BEFORE))
        .contains(new LostOffsets.Range(partition.topic(), 0, 2, 5, DELETED_BEFORE));
  }

  @Test
  void aFreshJobStartingAtLatestCountsOnlyWhatRetentionDeletedNotWhatItSkipsOnPurpose() throws Exception {
    commit(2);

    assertThat(sinceCommitted(10)).contains(new LostOffsets.Range(partition.topic(), 0, 2, 5, DELETED_BEFORE));
  }

  @Test
  void aFreshJobResumingAtTheGroupsCommittedOffsetLosesNothing() throws Exception {
    commit(7);

    assertThat(sinceCommitted(7)).isEmpty();
  }

  @Test
  void aFreshJobSkippingRecordsStillThereLosesNothing() throws Exception {
    commit(DELETED_BEFORE);

    assertThat(sinceCommitted(9)).isEmpty();
  }

  @Test
  void aPartitionTheGroupNeverCommittedAnOffsetForLosesNothing() throws Exception {
    assertThat(sinceCommitted(DELETED_BEFORE)).isEmpty();
  }
}
