package io.openwit.common.metastore;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One row of the batch tracker. Times are epoch milliseconds, null until the stage happened;
 * {@code stage} is the furthest stage reached; {@code lostAt} is set when its WAL records were
 * deleted before the pipeline read them (and it was not stored).
 */
public record BatchRecord(
    String batchId,
    String tenant,
    String signal,
    String source,
    String topics,
    Integer partition,
    Long firstOffset,
    Long lastOffset,
    String encoding,
    Long batchSize,
    Long messageCount,
    long firstSeenAt,
    Long createdAt,
    Long walWrittenAt,
    Long ingestedAt,
    Long storedAt,
    Long indexedAt,
    Long completedAt,
    String stage,
    String flinkJobId,
    Long checkpointId,
    Long snapshotId,
    String errorStage,
    String errorMessage,
    int retryCount,
    Long lostAt) {

  @JsonIgnore
  public boolean isStored() {
    return storedAt != null;
  }

  @JsonIgnore
  public boolean isCompleted() {
    return completedAt != null;
  }
}
