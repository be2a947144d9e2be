package io.openwit.pipeline.sink;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.schema.TableDefinition;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.DecodedBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

/**
 * Routes each row of a decoded batch to its tenant's table for the batch's signal:
 * {@code <tenant>.spans|logs|metrics}, and reports the batch ingested to the batch tracker. Decoding
 * happened before, in {@code BatchDecoder}, which also sent the batches the writer would refuse to the
 * dead-letter topic.
 */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<DecodedBatch> {

  private final OpenWitConfig config;
  private transient BatchReporter reporter;

  public TelemetryRecordGenerator(OpenWitConfig config) {
    this.config = config;
  }

  @Override
  public void open(OpenContext openContext) {
    reporter = AsyncBatchTracker.shared(config);
  }

  @Override
  public void generate(DecodedBatch batch, Collector<DynamicRecord> out) {
    TableDefinition definition = TableSchemas.forSignal(Signal.fromHeaderValue(batch.signal()));
    TableIdentifier table = TableIdentifier.of(batch.tenant(), definition.name());
    for (RowData row : batch.rows()) {
      out.collect(new DynamicRecord(table, SnapshotRef.MAIN_BRANCH, definition.schema(), row, definition.spec()));
    }
    reporter.report(new BatchEvent.Ingested(batch.trackingId(), batch.tenant(), batch.signal(), batch.source(),
        batch.rows().size(), System.currentTimeMillis()));
  }
}
