package io.openwit.pipeline.decode;

import com.google.protobuf.Message;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchEvent;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.otlp.InvalidOtlpException;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.deadletter.DeadLetter;
import io.openwit.pipeline.deadletter.DeadLetterLog;
import io.openwit.pipeline.deadletter.DeadLetterReason;
import io.openwit.pipeline.deadletter.RejectedRecord;
import io.openwit.pipeline.source.OtlpBatch;
import io.openwit.pipeline.source.RecordRouter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.iceberg.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each batch, once, into the rows its table gets, and checks every row against the table's
 * schema. A batch whose value does not decode, whose rows cannot be made, or with a row the Iceberg
 * writer would refuse goes whole to the {@link #DEAD_LETTERS} side output with its reason, is counted
 * in {@code openwit_dead_letter_records}, and the job keeps going; a batch the batch tracker knew is
 * reported failed. It runs after deduplication, chained to the sink, so rows never cross the network.
 */
public final class BatchDecoder extends ProcessFunction<OtlpBatch, DecodedBatch> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BatchDecoder.class);
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("undecodable-batches", TypeInformation.of(DeadLetter.class));

  private final OpenWitConfig config;
  private final int maxDeadLetterValueBytes;
  private final EnumMap<Signal, Schema> tableSchemas;
  private transient BatchReporter reporter;
  private transient Counter deadLetters;
  private transient DeadLetterLog deadLetterLog;
  private transient Map<Signal, RowSchemaCheck> checks;

  public BatchDecoder(OpenWitConfig config) {
    this(config, tableSchemas());
  }

  /** A decoder that checks rows against {@code tableSchemas} rather than OpenWit's tables. */
  BatchDecoder(OpenWitConfig config, Map<Signal, Schema> tableSchemas) {
    this.config = config;
    this.maxDeadLetterValueBytes = DeadLetterTopic.maxValueBytes(config);
    this.tableSchemas = new EnumMap<>(tableSchemas);
  }

  private static Map<Signal, Schema> tableSchemas() {
    Map<Signal, Schema> schemas = new EnumMap<>(Signal.class);
    for (Signal signal : Signal.values()) {
      schemas.put(signal, TableSchemas.forSignal(signal).schema());
    }
    return schemas;
  }

  @Override
  public void open(OpenContext openContext) {
    reporter = AsyncBatchTracker.shared(config);
    deadLetters = getRuntimeContext().getMetricGroup().counter(RecordRouter.DEAD_LETTER_METRIC);
    deadLetterLog = new DeadLetterLog(LOG);
    checks = new EnumMap<>(Signal.class);
    tableSchemas.forEach((signal, schema) -> checks.put(signal, new RowSchemaCheck(schema)));
  }

  @Override
  public void processElement(OtlpBatch batch, Context context, Collector<DecodedBatch> out) {
    Signal signal = Signal.fromHeaderValue(batch.signal);
    List<RowData> rows;
    try {
      rows = rowsOf(batch, signal);
    } catch (RejectedRecord rejected) {
      deadLetter(batch, rejected, context);
      return;
    }
    out.collect(new DecodedBatch(batch.tenant, batch.signal, batch.trackingId,
        batch.isExternal() ? BatchEvent.SOURCE_KAFKA : BatchEvent.SOURCE_RECEIVER, rows));
  }

  private List<RowData> rowsOf(OtlpBatch batch, Signal signal) throws RejectedRecord {
    Message request = requestOf(batch, signal);
    RowSchemaCheck check = checks.get(signal);
    List<RowData> rows = new ArrayList<>();
    String[] refusal = {null};
    int[] refusedRow = {-1};
    try {
      // each row is checked as it is made, while it is still in the CPU's cache
      TelemetryRows.decode(signal, request, row -> {
        if (refusal[0] == null) {
          refusal[0] = check.refusal(row);
          refusedRow[0] = rows.size();
        }
        rows.add(row);
      });
    } catch (RuntimeException e) {
      throw new RejectedRecord(DeadLetterReason.UNCONVERTIBLE_VALUE,
          "the " + signal.headerValue() + " request decodes but its rows cannot be made: " + e);
    }
    if (refusal[0] != null) {
      throw new RejectedRecord(DeadLetterReason.REFUSED_ROW, "row " + refusedRow[0] + " of " + rows.size()
          + " does not fit table " + TableSchemas.forSignal(signal).name() + ": " + refusal[0]);
    }
    return rows;
  }

  private static Message requestOf(OtlpBatch batch, Signal signal) throws RejectedRecord {
    OtlpCodec codec = OtlpCodec.of(signal);
    try {
      return RecordHeaders.ENCODING_OTLP_JSON.equals(batch.encoding)
          ? codec.parseJson(batch.payload)
          : codec.parseProtobuf(batch.payload);
    } catch (InvalidOtlpException e) {
      throw new RejectedRecord(DeadLetterReason.UNDECODABLE_VALUE,
          "value is not an OTLP " + signal.headerValue() + " request in " + batch.encoding + ": " + e.getMessage());
    }
  }

  private void deadLetter(OtlpBatch batch, RejectedRecord rejected, Context context) {
    String recordId = batch.record().id();
    if (batch.hasOpenWitHeaders()) {
      // the batch is known to the tracker (the receiver or a replay wrote it): it fails rather than waits forever
      reporter.report(new BatchEvent.Failed(batch.trackingId, batch.tenant, batch.signal,
          batch.isExternal() ? BatchEvent.SOURCE_KAFKA : BatchEvent.SOURCE_RECEIVER, "ingested",
          "record " + recordId + " put on the dead-letter topic: " + rejected.getMessage(),
          System.currentTimeMillis()));
    }
    deadLetters.inc();
    context.output(DEAD_LETTERS,
        DeadLetter.of(batch.record(), rejected.reason(), rejected.getMessage(), maxDeadLetterValueBytes));
    deadLetterLog.warn(recordId, rejected.reason(), rejected.getMessage());
  }
}
