package io.openwit.pipeline.source;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a batch whose id was already seen within the window. The receiver makes a batch's id from
 * its content, so a client that retries a request after a timeout (the first attempt having
 * reached Kafka after all) does not produce duplicate rows. The seen-ids live in keyed state with
 * a TTL, checkpointed with the Kafka offsets, so a restart stays exactly-once.
 */
public final class DuplicateBatchFilter extends KeyedProcessFunction<String, OtlpBatch, OtlpBatch> {
  private final Duration window;
  private transient ValueState<Boolean> seen;
  private transient Counter duplicates;

  public DuplicateBatchFilter(Duration window) {
    this.window = window;
  }

  @Override
  public void open(OpenContext openContext) {
    ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen-batch", Types.BOOLEAN);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(window)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .build());
    seen = getRuntimeContext().getState(descriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicateBatches");
  }

  @Override
  public void processElement(OtlpBatch batch, Context context, Collector<OtlpBatch> out) throws Exception {
    if (seen.value() != null) {
      duplicates.inc();
      return;
    }
    seen.update(Boolean.TRUE);
    out.collect(batch);
  }
}
