package io.openwit.pipeline.source;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.observe.NodeHeartbeat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tells the batch tracker which checkpoint each batch belongs to. It runs right after the Kafka
 * source, so every record it passes on before a checkpoint's barrier is written by the Iceberg sink
 * under that checkpoint; the catalog marks the batch stored once a snapshot of that checkpoint (or
 * a later one of the same job) is committed. An external topic's records read from one partition
 * between two checkpoints become one batch. Also heartbeats as a {@code pipeline} node.
 */
public final class BatchTracking extends ProcessFunction<OtlpBatch, OtlpBatch> implements CheckpointedFunction {
  private final OpenWitConfig config;
  private transient BatchReporter reporter;
  private transient NodeHeartbeat heartbeat;
  private transient String jobId;
  private transient Map<String, BatchEvent.Checkpointed.Member> sinceCheckpoint;
  private transient Map<String, ExternalGroup> openGroups;

  public BatchTracking(OpenWitConfig config) {
    this.config = config;
  }

  /** The records of one external topic partition seen since the last checkpoint. */
  private static final class ExternalGroup {
    final String trackingId;
    final String tenant;
    final String signal;
    final String encoding;
    final String topic;
    final int partition;
    final long firstOffset;
    long lastOffset;
    long bytes;
    long records;
    long inKafkaSince = Long.MAX_VALUE;

    ExternalGroup(OtlpBatch first) {
      this.trackingId = "kafka-" + first.topic + "-" + first.partition + "-" + first.offset;
      this.tenant = first.tenant;
      this.signal = first.signal;
      this.encoding = first.encoding;
      this.topic = first.topic;
      this.partition = first.partition;
      this.firstOffset = first.offset;
    }
  }

  @Override
  public void open(OpenContext openContext) {
    jobId = getRuntimeContext().getJobInfo().getJobId().toString();
    reporter = AsyncBatchTracker.shared(config);
    sinceCheckpoint = new LinkedHashMap<>();
    openGroups = new HashMap<>();
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    heartbeat = NodeHeartbeat.start(config, "pipeline",
        NodeHeartbeat.hostName() + "/" + jobId + "/" + subtask, () -> true);
  }

  @Override
  public void processElement(OtlpBatch batch, Context context, Collector<OtlpBatch> out) {
    if (batch.trackingId == null) {
      ExternalGroup group = openGroups.computeIfAbsent(batch.topic + "\u0000" + batch.partition,
          key -> new ExternalGroup(batch));
      group.lastOffset = batch.offset;
      group.bytes += batch.payload.length;
      group.records++;
      if (batch.kafkaTimestamp >= 0) {
        group.inKafkaSince = Math.min(group.inKafkaSince, batch.kafkaTimestamp);
      }
      batch.trackingId = group.trackingId;
    }
    sinceCheckpoint.putIfAbsent(batch.trackingId, new BatchEvent.Checkpointed.Member(batch.trackingId, batch.tenant,
        batch.signal, batch.isExternal() ? BatchEvent.SOURCE_KAFKA : BatchEvent.SOURCE_RECEIVER));
    out.collect(batch);
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    long now = System.currentTimeMillis();
    for (ExternalGroup group : openGroups.values()) {
      reporter.report(new BatchEvent.Consumed(group.trackingId, group.tenant, group.signal, group.topic,
          group.partition, group.firstOffset, group.lastOffset, group.encoding, group.bytes, group.records,
          group.inKafkaSince == Long.MAX_VALUE ? now : group.inKafkaSince));
    }
    openGroups.clear();
    if (!sinceCheckpoint.isEmpty()) {
      List<BatchEvent.Checkpointed.Member> members = new ArrayList<>(sinceCheckpoint.values());
      reporter.report(new BatchEvent.Checkpointed(members, jobId, context.getCheckpointId(), now));
      sinceCheckpoint.clear();
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    // Nothing to restore: records after the restored checkpoint come again and are reported again.
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.close();
    }
  }
}
