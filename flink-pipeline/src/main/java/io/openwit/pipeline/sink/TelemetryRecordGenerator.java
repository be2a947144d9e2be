package io.openwit.pipeline.sink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.schema.TableDefinition;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.decode.TelemetryRows;
import io.openwit.pipeline.source.OtlpBatch;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecord;
import org.apache.iceberg.flink.sink.dynamic.DynamicRecordGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each decoded row to its tenant's table for the batch's signal: {@code <tenant>.spans|logs|metrics},
 * and reports the batch ingested (or failed) to the batch tracker.
 */
public final class TelemetryRecordGenerator implements DynamicRecordGenerator<OtlpBatch> {

  private static final Logger LOG = LoggerFactory.getLogger(TelemetryRecordGenerator.class);

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
    String source = batch.isExternal() ? BatchEvent.SOURCE_KAFKA : BatchEvent.SOURCE_RECEIVER;
    Signal signal = Signal.fromHeaderValue(batch.signal);
    TableDefinition definition = TableSchemas.forSignal(signal);
    TableIdentifier table = TableIdentifier.of(batch.tenant, definition.name());
    try {
      // The receiver only writes checked protobuf; JSON and undecodable payloads come from external topics.
      byte[] protobuf = RecordHeaders.ENCODING_OTLP_JSON.equals(batch.encoding)
          ? OtlpCodec.of(signal).parseJson(batch.payload).toByteArray()
          : batch.payload;
      long rows = decode(signal, protobuf, table, definition, out);
      reporter.report(new BatchEvent.Ingested(batch.trackingId, batch.tenant, batch.signal, source, rows,
          System.currentTimeMillis()));
    } catch (InvalidOtlpException | InvalidProtocolBufferException e) {
      // A poison record must not stop the job; it is named so an operator can find it.
      LOG.warn("skipping {} batch {} from {}/{}@{}: {}", batch.signal, batch.batchId, batch.topic, batch.partition,
          batch.offset, e.getMessage());
      reporter.report(new BatchEvent.Failed(batch.trackingId, batch.tenant, batch.signal, source, "ingested",
          "record " + batch.topic + "/" + batch.partition + "@" + batch.offset + " does not decode: " + e.getMessage(),
          System.currentTimeMillis()));
    }
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
