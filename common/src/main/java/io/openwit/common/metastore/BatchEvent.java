package io.openwit.common.metastore;

import java.util.List;

/**
 * Something that happened to a batch, as the process that saw it reports it. Each event sets only
 * its own stage, so events from the receiver and the pipeline may arrive in any order.
 */
public sealed interface BatchEvent {
  /** Where the batch came from: an OpenWit receiver, or an external Kafka topic. */
  String SOURCE_RECEIVER = "receiver";
  String SOURCE_KAFKA = "kafka";

  String batchId();

  /** The receiver accepted a request ({@code createdAt}) and Kafka acknowledged it ({@code writtenAt}). */
  record WalWritten(
      String batchId, String tenant, String signal, String topic, int partition, long offset, String encoding,
      long bytes, long items, long createdAt, long writtenAt) implements BatchEvent {}

  /**
   * The pipeline consumed records {@code firstOffset..lastOffset} of an external topic's partition
   * between two checkpoints; they were in Kafka from {@code inKafkaSince}.
   */
  record Consumed(
      String batchId, String tenant, String signal, String topic, int partition, long firstOffset,
      long lastOffset, String encoding, long bytes, long records, long inKafkaSince) implements BatchEvent {}

  /** The pipeline decoded the batch into {@code rows} rows. */
  record Ingested(String batchId, String tenant, String signal, String source, long rows, long at)
      implements BatchEvent {}

  /** The batches the pipeline passed on before checkpoint {@code checkpointId} of job {@code jobId}. */
  record Checkpointed(List<Member> batches, String jobId, long checkpointId, long at) implements BatchEvent {
    public record Member(String batchId, String tenant, String signal, String source) {}

    @Override
    public String batchId() {
      return batches.isEmpty() ? "" : batches.get(0).batchId();
    }
  }

  /**
   * The pipeline found offsets {@code firstOffset..lastOffset} of a WAL partition deleted before it
   * read them: the receiver batches written there are lost. It names offsets, not batches, so
   * {@link #batchId()} is empty.
   */
  record WalLost(String topic, int partition, long firstOffset, long lastOffset, long at) implements BatchEvent {
    @Override
    public String batchId() {
      return "";
    }
  }

  /** A stage failed for the batch, e.g. a payload the pipeline cannot decode. */
  record Failed(String batchId, String tenant, String signal, String source, String stage, String message, long at)
      implements BatchEvent {}
}
