package io.openwit.index.job;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.index.build.UnreadableDataFileException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports a data file the index job cannot index: a dead letter on the dead-letter topic (no value;
 * the reason, detail, tenant, table and data file as headers, named as the ingest job's), then the
 * file recorded as unindexable in the index registry so it is not planned again, one ERROR line and
 * the {@value #METRIC} counter. The letter goes first: a report cut short is made again when the file
 * is planned again, so a letter may be duplicated but never missing.
 */
final class UnindexableFiles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UnindexableFiles.class);
  /** The reason header's value on the index job's dead letters. */
  static final String REASON = "unreadable_data_file";
  static final String METRIC = "openwit_index_unreadable_files";
  private static final long SEND_TIMEOUT_SECONDS = 60;

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final IndexRegistry registry;
  private final Counter reported;

  UnindexableFiles(OpenWitConfig config, IndexRegistry registry, Counter reported) {
    this.topic = config.ingestion().kafka().topics().deadLetter();
    Properties properties = DeadLetterTopic.producerConfig(config);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    this.registry = registry;
    this.reported = reported;
  }

  /** Reports the file {@code unreadable} names, of {@code tenant}'s {@code table}. */
  void report(String tenant, String table, UnreadableDataFileException unreadable) throws Exception {
    String detail = String.valueOf(unreadable.getCause());
    producer.send(letter(topic, tenant, table, unreadable.path(), detail)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    registry.markUnindexable(tenant, table, unreadable.path(), detail, System.currentTimeMillis());
    reported.inc();
    LOG.error("{}.{}: data file {} cannot be indexed and is left out of the index (dead letter on {}): {}",
        tenant, table, unreadable.path(), topic, detail, unreadable);
  }

  /** The dead letter for {@code dataFile}: keyed by its path, so letters of one file go to one partition. */
  static ProducerRecord<byte[], byte[]> letter(String topic, String tenant, String table, String dataFile,
      String detail) {
    List<Header> headers = List.of(
        header(RecordHeaders.TENANT, tenant),
        header(RecordHeaders.DEAD_LETTER_REASON, REASON),
        header(RecordHeaders.DEAD_LETTER_DETAIL, detail),
        header(RecordHeaders.DEAD_LETTER_TABLE, table),
        header(RecordHeaders.DEAD_LETTER_DATA_FILE, dataFile));
    return new ProducerRecord<>(topic, null, null, dataFile.getBytes(StandardCharsets.UTF_8), null, headers);
  }

  private static Header header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    producer.close();
  }
}
