package io.openwit.receiver.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.receiver.TestKafka;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The write-ahead log's topics as a real broker reports them after the receiver created them. */
class KafkaWalTopicsTest {
  private static final long RETENTION_MS = 3 * 86_400_000L;

  @Test
  void createdTopicsKeepRecordsForTheConfiguredRetentionAndNeverElectAnUncleanLeader() throws Exception {
    OpenWitConfig config = config(topics());
    try (KafkaWal wal = new KafkaWal(config)) {
      assertThat(wal.ensureTopics(2)).isEmpty();
    }
    for (String topic : List.of(config.ingestion().kafka().topics().traces(), config.ingestion().kafka().topics().logs(),
        config.ingestion().kafka().topics().metrics())) {
      Config described = describe(topic);
      assertThat(described.get("retention.ms").value()).isEqualTo(Long.toString(RETENTION_MS));
      assertThat(described.get("unclean.leader.election.enable").value()).isEqualTo("false");
      assertThat(described.get("max.message.bytes").value())
          .isEqualTo(Long.toString(config.receiver().maxRequestBytes() + 64 * 1024));
      assertThat(described.get("min.insync.replicas").value()).as("one broker: no second replica to wait for")
          .isEqualTo("1");
    }
  }

  @Test
  void anExistingTopicIsLeftAsItIsAndReportedWhenItKeepsRecordsForLess() throws Exception {
    OpenWitConfig.Topics topics = topics();
    TestKafka.createTopic(topics.logs(), Map.of("retention.ms", "3600000"));
    TestKafka.createTopic(topics.traces(), Map.of("retention.ms", "-1"));
    try (KafkaWal wal = new KafkaWal(config(topics))) {
      assertThat(wal.ensureTopics(2)).containsExactly(topics.logs());
    }
    assertThat(describe(topics.logs()).get("retention.ms").value()).isEqualTo("3600000");
    assertThat(describe(topics.metrics()).get("retention.ms").value()).isEqualTo(Long.toString(RETENTION_MS));
  }

  @Test
  void onAClusterOfThreeBrokersTopicsWaitForTwoInSyncReplicas() {
    try (KafkaWal wal = new KafkaWal(config(topics()))) {
      assertThat(wal.topicConfigs(3)).containsEntry("min.insync.replicas", "2")
          .containsEntry("unclean.leader.election.enable", "false")
          .containsEntry("retention.ms", Long.toString(RETENTION_MS));
      assertThat(wal.topicConfigs(1)).doesNotContainKey("min.insync.replicas");
    }
  }

  private static Config describe(String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try (Admin admin = TestKafka.admin()) {
      return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
  }

  private static OpenWitConfig.Topics topics() {
    return new OpenWitConfig.Topics(TestKafka.uniqueTopic("traces"), TestKafka.uniqueTopic("logs"),
        TestKafka.uniqueTopic("metrics"), null);
  }

  private static OpenWitConfig config(OpenWitConfig.Topics topics) {
    OpenWitConfig defaults = OpenWitConfig.defaults();
    return new OpenWitConfig(
        defaults.dataDir(), defaults.listenAddress(), defaults.auth(), defaults.metastore(), defaults.catalog(),
        defaults.receiver(),
        new OpenWitConfig.Ingestion(new OpenWitConfig.Kafka(
            TestKafka.bootstrapServers(), topics, null, null, null, null, RETENTION_MS)),
        defaults.pipeline(), defaults.embeddedKafka(), defaults.flink(), defaults.trino(), defaults.query(),
        defaults.limits(), defaults.batchTracking(), defaults.cluster(), defaults.maintenance(), defaults.index(),
        defaults.storage());
  }
}
