package io.openwit.pipeline.sink;

import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.SpanRows;
import io.openwit.pipeline.source.OtlpBatch;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;

/** Routes each decoded row to its tenant's table: {@code <tenant>.spans}. */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<OtlpBatch> {

  @Override
  public void generate(OtlpBatch batch, Collector<DynamicRecord> out) throws Exception {
    Signal signal = Signal.fromHeaderValue(batch.signal);
    if (signal != Signal.TRACES) {
      throw new IllegalStateException(
          "batch " + batch.batchId + " carries signal '" + batch.signal + "', which this pipeline does not decode yet");
    }
    TableIdentifier table = TableIdentifier.of(batch.tenant, TableSchemas.SPANS.name());
    SpanRows.decode(
        batch.payload,
        row ->
            out.collect(
                new DynamicRecord(
                    table, SnapshotRef.MAIN_BRANCH, TableSchemas.SPANS_SCHEMA, row, TableSchemas.SPANS.spec())));
  }
}
