package io.openwit.pipeline.deadletter;

import java.util.Locale;

/** Why the ingest job put a record on the dead-letter topic; {@link #code()} is the reason header's value. */
public enum DeadLetterReason {
  /** No openwit.tenant header, and no ingestion.kafka.external_topics rule tells the topic's tenant and signal. */
  UNKNOWN_ORIGIN,
  /** The tenant (header or topic rule) is not a valid tenant id. */
  BAD_TENANT,
  /** The openwit.signal header is missing or names no signal. */
  UNKNOWN_SIGNAL,
  /** The openwit.batch_id (or openwit.tracking_id) header is missing or not an id. */
  BAD_BATCH_ID,
  /** The openwit.encoding header names an encoding the job does not read. */
  UNKNOWN_ENCODING,
  /** The value is not an OTLP export request of the record's signal in its encoding. */
  UNDECODABLE_VALUE,
  /** The value decodes, but turning it into its table's rows failed. */
  UNCONVERTIBLE_VALUE,
  /** A row of the value breaks its table's schema (a required column null, a value of the wrong type): the writer would refuse it. */
  REFUSED_ROW;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
