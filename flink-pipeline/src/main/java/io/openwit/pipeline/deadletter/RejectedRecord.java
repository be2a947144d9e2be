package io.openwit.pipeline.deadletter;

/**
 * Why a record (or batch) cannot be written, thrown where it is found and caught where the dead
 * letter is made; carries no stack trace, as it is an answer, not a fault.
 */
public final class RejectedRecord extends Exception {
  private static final long serialVersionUID = 1L;
  private final DeadLetterReason reason;

  public RejectedRecord(DeadLetterReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
