package io.openwit.pipeline.sink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.schema.TableDefinition;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.TelemetryRows;
import io.openwit.pipeline.source.OtlpBatch;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes each decoded row to its tenant's table for the batch's signal: {@code <tenant>.spans|logs|metrics}. */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<OtlpBatch> {

  private static final Logger LOG = LoggerFactory.getLogger(TelemetryRecordGenerator.class);

  @Override
  public void generate(OtlpBatch batch, Collector<DynamicRecord> out) {
    Signal signal = Signal.fromHeaderValue(batch.signal);
    TableDefinition definition = TableSchemas.forSignal(signal);
    TableIdentifier table = TableIdentifier.of(batch.tenant, definition.name());
    try {
      // The receiver only writes checked protobuf; JSON and undecodable payloads come from external topics.
      byte[] protobuf = RecordHeaders.ENCODING_OTLP_JSON.equals(batch.encoding)
          ? OtlpCodec.of(signal).parseJson(batch.payload).toByteArray()
          : batch.payload;
      decode(signal, protobuf, table, definition, out);
    } catch (InvalidOtlpException | InvalidProtocolBufferException e) {
      // A poison record must not stop the job; it is named so an operator can find it.
      LOG.warn("skipping {} batch {} from {}/{}@{}: {}", batch.signal, batch.batchId, batch.topic, batch.partition,
          batch.offset, e.getMessage());
    }
  }

  private static void decode(
      Signal signal, byte[] protobuf, TableIdentifier table, TableDefinition definition, Collector<DynamicRecord> out)
      throws InvalidProtocolBufferException {
    TelemetryRows.decode(
        signal,
        protobuf,
        row ->
            out.collect(
                new DynamicRecord(
                    table, SnapshotRef.MAIN_BRANCH, definition.schema(), row, definition.spec())));
  }
}
