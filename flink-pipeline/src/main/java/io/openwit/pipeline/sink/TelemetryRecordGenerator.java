package io.openwit.pipeline.sink;

import io.openwit.common.schema.TableDefinition;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.TelemetryRows;
import io.openwit.pipeline.source.OtlpBatch;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

/** Routes each decoded row to its tenant's table for the batch's signal: {@code <tenant>.spans|logs|metrics}. */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<OtlpBatch> {

  @Override
  public void generate(OtlpBatch batch, Collector<DynamicRecord> out) throws Exception {
    Signal signal = Signal.fromHeaderValue(batch.signal);
    TableDefinition definition = TableSchemas.forSignal(signal);
    TableIdentifier table = TableIdentifier.of(batch.tenant, definition.name());
    TelemetryRows.decode(
        signal,
        batch.payload,
        row ->
            out.collect(
                new DynamicRecord(
                    table, SnapshotRef.MAIN_BRANCH, definition.schema(), row, definition.spec())));
  }
}
