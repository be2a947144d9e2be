package io.openwit.catalog.batch;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchRecord;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays a stuck batch: reads its records again from the Kafka offsets the tracker holds and
 * writes them to the signal's receiver topic with the same batch ids, so the pipeline stores them
 * once (its deduplication drops a copy it already wrote) and the tracker follows the same row.
 */
public final class BatchReplayer {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final OpenWitConfig config;
  private final BatchStore batches;

  public BatchReplayer(OpenWitConfig config, BatchStore batches) {
    this.config = config;
    this.batches = batches;
  }

  /** What a replay wrote. */
  public record Replay(String batchId, String fromTopic, int partition, long firstOffset, long lastOffset,
      String toTopic, int records) {}

  /** Why a batch cannot be replayed; {@code gone} when Kafka no longer holds its records. */
  public static final class ReplayRefused extends RuntimeException {
    private final boolean gone;

    ReplayRefused(String message, boolean gone) {
      super(message);
      this.gone = gone;
    }

    public boolean gone() {
      return gone;
    }
  }

  public Replay replay(BatchRecord batch) {
    if (batch.isStored()) {
      throw new ReplayRefused("batch " + batch.batchId() + " is already stored (snapshot " + batch.snapshotId()
          + "); replaying it would change nothing", false);
    }
    if (batch.topics() == null || batch.partition() == null || batch.firstOffset() == null
        || batch.lastOffset() == null) {
      throw new ReplayRefused("batch " + batch.batchId() + " has no Kafka position recorded yet", false);
    }
    TopicPartition partition = new TopicPartition(batch.topics(), batch.partition());
    List<ConsumerRecord<byte[], byte[]>> records = read(partition, batch.firstOffset(), batch.lastOffset());
    String target = config.ingestion().kafka().topics().of(Signal.fromHeaderValue(batch.signal()));
    // before sending: the replayed copy's own checkpoint report must not be cleared afterwards
    batches.markReplayed(batch.batchId());
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      List<Future<?>> sent = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        sent.add(producer.send(
            new ProducerRecord<>(target, (Integer) null, (byte[]) null, record.value(), headers(batch, record))));
      }
      for (Future<?> acknowledged : sent) {
        acknowledged.get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka refused the replay of batch " + batch.batchId() + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while replaying batch " + batch.batchId(), e);
    }
    return new Replay(batch.batchId(), batch.topics(), batch.partition(), batch.firstOffset(), batch.lastOffset(),
        target, records.size());
  }

  /** A receiver's record keeps its headers; an external one gets the headers the pipeline would infer. */
  private static List<Header> headers(BatchRecord batch, ConsumerRecord<byte[], byte[]> record) {
    if (BatchEvent.SOURCE_RECEIVER.equals(batch.source())) {
      return List.of(record.headers().toArray());
    }
    String recordId = record.topic() + "-" + record.partition() + "-" + record.offset();
    return List.of(
        header(RecordHeaders.TENANT, batch.tenant()),
        header(RecordHeaders.SIGNAL, batch.signal()),
        header(RecordHeaders.BATCH_ID, recordId),
        header(RecordHeaders.TRACKING_ID, batch.batchId()),
        header(RecordHeaders.ENCODING, batch.encoding() == null ? RecordHeaders.ENCODING_OTLP_PROTO : batch.encoding()));
  }

  private List<ConsumerRecord<byte[], byte[]>> read(TopicPartition partition, long first, long last) {
    Properties properties = config.ingestion().kafka().clientConfig();
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      Map<TopicPartition, Long> beginning = consumer.beginningOffsets(List.of(partition));
      if (beginning.get(partition) > first) {
        throw new ReplayRefused("Kafka no longer holds offset " + first + " of " + partition
            + " (the log starts at " + beginning.get(partition) + "): the batch cannot be replayed", true);
      }
      consumer.seek(partition, first);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      long next = first;
      while (next <= last) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read offsets " + next + ".." + last + " of " + partition
              + " within " + READ_TIMEOUT.toSeconds() + " s");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() <= last) {
            records.add(record);
          }
          next = Math.max(next, record.offset() + 1);
        }
        next = Math.max(next, consumer.position(partition));
      }
      return records;
    }
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Properties properties = config.ingestion().kafka().clientConfig();
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Math.toIntExact(config.receiver().maxRequestBytes() + 64 * 1024));
    return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static RecordHeader header(String key, String value) {
    return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
