package io.openwit.common.wire;

/**
 * The contract between the receiver (producer) and the pipeline (consumer): each Kafka record's
 * value is one OTLP export request, and these headers say whose it is and how it is encoded.
 */
public final class RecordHeaders {
  private RecordHeaders() {}

  public static final String TENANT = "openwit.tenant";
  public static final String SIGNAL = "openwit.signal";
  public static final String BATCH_ID = "openwit.batch_id";
  public static final String ENCODING = "openwit.encoding";
  /** Set only on a replayed record of an external topic: the batch tracker row it belongs to. */
  public static final String TRACKING_ID = "openwit.tracking_id";

  /** Encoding names as the OpenTelemetry Collector's Kafka exporter spells them. */
  public static final String ENCODING_OTLP_PROTO = "otlp_proto";
  public static final String ENCODING_OTLP_JSON = "otlp_json";

  public static final String DEFAULT_TENANT = "default";

  /**
   * Headers the ingest job adds to a record it puts on the dead-letter topic (after the record's own
   * headers, which stay as they were): why, in a word and in a sentence, and where the record was read.
   */
  public static final String DEAD_LETTER_REASON = "openwit.dead_letter.reason";
  public static final String DEAD_LETTER_DETAIL = "openwit.dead_letter.detail";
  public static final String DEAD_LETTER_TOPIC = "openwit.dead_letter.topic";
  public static final String DEAD_LETTER_PARTITION = "openwit.dead_letter.partition";
  public static final String DEAD_LETTER_OFFSET = "openwit.dead_letter.offset";
  /**
   * Where a dead letter of the index job points instead of topic, partition and offset (with the
   * tenant in {@link #TENANT}): the table and the data file it cannot index. Such a letter has no value.
   */
  public static final String DEAD_LETTER_TABLE = "openwit.dead_letter.table";
  public static final String DEAD_LETTER_DATA_FILE = "openwit.dead_letter.data_file";
}
