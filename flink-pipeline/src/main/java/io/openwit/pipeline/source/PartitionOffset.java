package io.openwit.pipeline.source;

/** The next offset the job expects of one Kafka partition: a Flink POJO kept in {@link RecordRouter}'s state. */
public class PartitionOffset {
  public String topic;
  public int partition;
  public long nextOffset;

  public PartitionOffset() {}

  public PartitionOffset(String topic, int partition, long nextOffset) {
    this.topic = topic;
    this.partition = partition;
    this.nextOffset = nextOffset;
  }
}
