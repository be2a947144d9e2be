package io.openwit.pipeline.source;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import io.openwit.common.metastore.ApiKeys;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.deadletter.DeadLetter;
import io.openwit.pipeline.deadletter.DeadLetterLog;
import io.openwit.pipeline.deadletter.DeadLetterReason;
import io.openwit.pipeline.deadletter.RejectedRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges each Kafka record's headers before anything trusts them: a record whose headers name a valid
 * tenant, signal, batch id and encoding (or that an external_topics rule places) goes on as an
 * {@link OtlpBatch}, its value not decoded yet; any other goes to the {@link #DEAD_LETTERS} side
 * output with its reason, is counted in {@code openwit_dead_letter_records}, and the job keeps going.
 * The value is decoded once, after deduplication, by {@code BatchDecoder}, which dead-letters what does
 * not decode or convert. It also follows each partition's offsets, so records Kafka deleted before the
 * job read them are logged as an ERROR, counted in {@code openwit_wal_offsets_lost} and reported to the
 * batch tracker (which marks the batches written there lost) instead of being skipped silently.
 */
public final class RecordRouter extends ProcessFunction<KafkaRecord, OtlpBatch> implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RecordRouter.class);
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
  public static final String DEAD_LETTER_METRIC = "openwit_dead_letter_records";
  public static final String LOST_OFFSETS_METRIC = "openwit_wal_offsets_lost";
  /** What the receiver's content hashes and the batch replayer's topic-partition-offset ids are made of. */
  private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9._:-]{1,300}");

  private final OpenWitConfig config;
  private final ExternalTopicRules externalTopics;
  private final int maxDeadLetterValueBytes;
  private transient BatchReporter reporter;
  private transient Counter deadLetters;
  private transient Counter lostOffsetsCount;
  private transient LostOffsets lostOffsets;
  /** Per topic and partition (joined by a NUL), the next offset this subtask expects. */
  private transient Map<String, PartitionOffset> expectedOffsets;
  private transient ListState<PartitionOffset> expectedOffsetsState;
  private transient DeadLetterLog deadLetterLog;

  public RecordRouter(OpenWitConfig config) {
    this.config = config;
    this.externalTopics = new ExternalTopicRules(config.ingestion().kafka());
    this.maxDeadLetterValueBytes = DeadLetterTopic.maxValueBytes(config);
  }

  @Override
  public void open(OpenContext openContext) {
    reporter = AsyncBatchTracker.shared(config);
    deadLetters = getRuntimeContext().getMetricGroup().counter(DEAD_LETTER_METRIC);
    lostOffsetsCount = getRuntimeContext().getMetricGroup().counter(LOST_OFFSETS_METRIC);
    lostOffsets = new LostOffsets(config.ingestion().kafka().clientConfig(), config.pipeline().consumerGroup());
    deadLetterLog = new DeadLetterLog(LOG);
  }

  @Override
  public void processElement(KafkaRecord record, Context context, Collector<OtlpBatch> out) {
    followOffsets(record);
    OtlpBatch batch;
    try {
      batch = batchOf(record);
    } catch (RejectedRecord rejected) {
      deadLetters.inc();
      context.output(DEAD_LETTERS,
          DeadLetter.of(record, rejected.reason(), rejected.getMessage(), maxDeadLetterValueBytes));
      deadLetterLog.warn(record.id(), rejected.reason(), rejected.getMessage());
      return;
    }
    out.collect(batch);
  }

  /**
   * Records that the job read {@code record}, and says loudly when the records before it since the
   * last one read are gone: deleted by retention before the job got to them. For a partition no
   * checkpoint tells about (a job started afresh), the last one read is where the consumer group
   * committed its offset; before offset 0 there is nothing to lose.
   */
  private void followOffsets(KafkaRecord record) {
    String key = record.topic + '\u0000' + record.partition;
    PartitionOffset expected = expectedOffsets.get(key);
    if (expected == null) {
      if (record.offset > 0) {
        reportLost(record, "since the consumer group's committed offset",
            () -> lostOffsets.sinceCommitted(record.topic, record.partition, record.offset));
      }
      expected = new PartitionOffset(record.topic, record.partition, record.offset);
      expectedOffsets.put(key, expected);
    } else if (record.offset > expected.nextOffset) {
      long from = expected.nextOffset;
      reportLost(record, "from offset " + from,
          () -> lostOffsets.between(record.topic, record.partition, from, record.offset));
    }
    expected.nextOffset = record.offset + 1;
  }

  /** Asks Kafka which offsets before {@code record} are lost. */
  @FunctionalInterface
  private interface LostLookup {
    Optional<LostOffsets.Range> find() throws ExecutionException, TimeoutException, InterruptedException;
  }

  private void reportLost(KafkaRecord record, String since, LostLookup lookup) {
    try {
      lookup.find().ifPresent(lost -> {
        LOG.error("WAL records LOST: offsets {}..{} of {}-{} ({} records) were never read by the ingest job:"
            + " Kafka's retention (ingestion.kafka.wal_retention_ms) deleted the partition up to offset {} first;"
            + " the job goes on from offset {}",
            lost.first(), lost.last(), lost.topic(), lost.partition(), lost.count(), lost.earliest(), record.offset);
        lostOffsetsCount.inc(lost.count());
        reporter.report(new BatchEvent.WalLost(lost.topic(), lost.partition(), lost.first(), lost.last(),
            System.currentTimeMillis()));
      });
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("Kafka cannot tell whether retention deleted offsets of {}-{} {} up to {} unread: {}",
          record.topic, record.partition, since, record.offset - 1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Kafka about lost offsets of " + record.topic, e);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    expectedOffsetsState.update(new ArrayList<>(expectedOffsets.values()));
  }

  /**
   * Union state: after a rescale any subtask may read any partition, so each gets every partition's
   * expected offset (the highest, where subtasks kept more than one).
   */
  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    expectedOffsetsState = context.getOperatorStateStore()
        .getUnionListState(new ListStateDescriptor<>("expected-offsets", PartitionOffset.class));
    expectedOffsets = new HashMap<>();
    for (PartitionOffset restored : expectedOffsetsState.get()) {
      expectedOffsets.merge(restored.topic + '\u0000' + restored.partition, restored,
          (kept, other) -> kept.nextOffset >= other.nextOffset ? kept : other);
    }
  }

  @Override
  public void close() {
    if (lostOffsets != null) {
      lostOffsets.close();
    }
  }

  private OtlpBatch batchOf(KafkaRecord record) throws RejectedRecord {
    String tenant = record.header(RecordHeaders.TENANT);
    if (tenant == null) {
      return externalBatchOf(record);
    }
    checkTenant(tenant, "header " + RecordHeaders.TENANT);
    Signal signal = signalOf(record.header(RecordHeaders.SIGNAL));
    String batchId = record.header(RecordHeaders.BATCH_ID);
    checkBatchId(batchId, RecordHeaders.BATCH_ID);
    String trackingId = record.header(RecordHeaders.TRACKING_ID);
    if (trackingId != null) {
      // a replayed record of an external topic still counts towards its original batch
      checkBatchId(trackingId, RecordHeaders.TRACKING_ID);
    }
    String encoding = Optional.ofNullable(record.header(RecordHeaders.ENCODING))
        .orElse(RecordHeaders.ENCODING_OTLP_PROTO);
    try {
      checkEncoding(encoding);
    } catch (RejectedRecord rejected) {
      // the batch is known to the tracker (the receiver or a replay wrote it): it fails rather than waits forever
      reporter.report(new BatchEvent.Failed(trackingId == null ? batchId : trackingId, tenant, signal.headerValue(),
          trackingId == null ? BatchEvent.SOURCE_RECEIVER : BatchEvent.SOURCE_KAFKA, "ingested",
          "record " + record.id() + " put on the dead-letter topic: " + rejected.getMessage(),
          System.currentTimeMillis()));
      throw rejected;
    }
    return new OtlpBatch(tenant, signal.headerValue(), batchId, trackingId == null ? batchId : trackingId, encoding,
        record);
  }

  /** A record without OpenWit headers: an external_topics rule tells whose it is. */
  private OtlpBatch externalBatchOf(KafkaRecord record) throws RejectedRecord {
    ExternalTopicRules.Origin origin = externalTopics.originOf(record.topic).orElseThrow(() -> new RejectedRecord(
        DeadLetterReason.UNKNOWN_ORIGIN, "no header " + RecordHeaders.TENANT + ", and no ingestion.kafka.external_topics"
            + " rule tells the tenant and signal of topic " + record.topic));
    checkTenant(origin.tenant(), "the external_topics rule for topic " + record.topic);
    checkEncoding(origin.encoding());
    // the tracking id is given by BatchTracking, which groups an external partition's records
    return new OtlpBatch(origin.tenant(), origin.signal().headerValue(), record.id(), null, origin.encoding(), record);
  }

  private static void checkTenant(String tenant, String source) throws RejectedRecord {
    try {
      ApiKeys.checkTenantId(tenant);
    } catch (IllegalArgumentException e) {
      throw new RejectedRecord(DeadLetterReason.BAD_TENANT, e.getMessage() + " (from " + source + ")");
    }
  }

  private static Signal signalOf(String header) throws RejectedRecord {
    if (header == null) {
      throw new RejectedRecord(DeadLetterReason.UNKNOWN_SIGNAL, "no header " + RecordHeaders.SIGNAL);
    }
    for (Signal signal : Signal.values()) {
      if (signal.headerValue().equalsIgnoreCase(header)) {
        return signal;
      }
    }
    throw new RejectedRecord(DeadLetterReason.UNKNOWN_SIGNAL,
        "header " + RecordHeaders.SIGNAL + " '" + abbreviated(header) + "' is not traces, logs or metrics");
  }

  private static void checkBatchId(String id, String header) throws RejectedRecord {
    if (id == null) {
      throw new RejectedRecord(DeadLetterReason.BAD_BATCH_ID, "no header " + header);
    }
    if (!BATCH_ID.matcher(id).matches()) {
      throw new RejectedRecord(DeadLetterReason.BAD_BATCH_ID, "header " + header + " '" + abbreviated(id)
          + "' is not 1 to 300 letters, digits, '.', '_', ':' or '-'");
    }
  }

  private static void checkEncoding(String encoding) throws RejectedRecord {
    if (!encoding.equals(RecordHeaders.ENCODING_OTLP_PROTO) && !encoding.equals(RecordHeaders.ENCODING_OTLP_JSON)) {
      throw new RejectedRecord(DeadLetterReason.UNKNOWN_ENCODING, "encoding '" + abbreviated(encoding)
          + "' is not " + RecordHeaders.ENCODING_OTLP_PROTO + " or " + RecordHeaders.ENCODING_OTLP_JSON);
    }
  }

  /** Header text as it goes into a message: at most 100 characters. */
  private static String abbreviated(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }
}
