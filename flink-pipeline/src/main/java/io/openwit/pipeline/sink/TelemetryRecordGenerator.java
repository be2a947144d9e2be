package io.openwit.pipeline.sink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.schema.TableDefinition;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.TelemetryRows;
import io.openwit.pipeline.source.OtlpBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

/**
 * Routes each decoded row to its tenant's table for the batch's signal: {@code <tenant>.spans|logs|metrics},
 * and reports the batch ingested to the batch tracker. Records that do not decode never get here:
 * {@code RecordRouter} sends them to the dead-letter topic.
 */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<OtlpBatch> {

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
  public void generate(OtlpBatch batch, Collector<DynamicRecord> out) {
    Signal signal = Signal.fromHeaderValue(batch.signal);
    TableDefinition definition = TableSchemas.forSignal(signal);
    TableIdentifier table = TableIdentifier.of(batch.tenant, definition.name());
    long rows;
    try {
      rows = decode(signal, batch.payload, table, definition, out);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("batch " + batch.batchId + " from " + batch.topic + "/" + batch.partition + "@"
          + batch.offset + " passed RecordRouter's decoding check yet does not decode", e);
    }
    reporter.report(new BatchEvent.Ingested(batch.trackingId, batch.tenant, batch.signal,
        batch.isExternal() ? BatchEvent.SOURCE_KAFKA : BatchEvent.SOURCE_RECEIVER, rows, System.currentTimeMillis()));
  }

  /** Emits the batch's rows; returns how many. */
  private static long decode(
      Signal signal, byte[] protobuf, TableIdentifier table, TableDefinition definition, Collector<DynamicRecord> out)
      throws InvalidProtocolBufferException {
    long[] rows = {0};
    TelemetryRows.decode(
        signal,
        protobuf,
        row -> {
          rows[0]++;
          out.collect(new DynamicRecord(table, SnapshotRef.MAIN_BRANCH, definition.schema(), row, definition.spec()));
        });
    return rows[0];
  }
}
