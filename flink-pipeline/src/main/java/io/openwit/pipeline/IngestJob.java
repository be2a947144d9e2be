package io.openwit.pipeline;

import io.openwit.common.config.JobArguments;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import io.openwit.common.schema.TenantTables;
import io.openwit.common.wire.Signal;
import io.openwit.pipeline.deadletter.DeadLetter;
import io.openwit.pipeline.deadletter.DeadLetterSerializer;
import io.openwit.pipeline.decode.BatchDecoder;
import io.openwit.pipeline.decode.DecodedBatch;
import io.openwit.pipeline.sink.TelemetryRecordGenerator;
import io.openwit.pipeline.source.BatchTracking;
import io.openwit.pipeline.source.DuplicateBatchFilter;
import io.openwit.pipeline.source.ExternalTopicRules;
import io.openwit.pipeline.source.KafkaRecord;
import io.openwit.pipeline.source.KafkaRecordDeserializer;
import io.openwit.pipeline.source.OtlpBatch;
import io.openwit.pipeline.source.RecordRouter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.sink.dynamic.DynamicIcebergSink;

/**
 * The ingest job: the receiver topics of all three signals in Kafka → header checks → batch tracking
 * → deduplication → OTLP decoding (once, chained to the sink) → per-tenant Iceberg tables (spans, logs,
 * metrics); records it cannot write go to the dead-letter topic instead of stopping it. Kafka
 * offsets live in Flink checkpoints and Iceberg commits happen when a checkpoint completes, so a
 * restart from the last checkpoint neither loses nor duplicates rows.
 */
public final class IngestJob {
  public static final String JOB_NAME = "openwit-ingest";
  private static final String UID_PREFIX = "openwit-ingest";

  private IngestJob() {}

  /** Adds the job's operators to {@code env}. */
  public static void define(StreamExecutionEnvironment env, OpenWitConfig config) {
    OpenWitConfig.Pipeline pipeline = config.pipeline();
    env.enableCheckpointing(pipeline.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
    env.setParallelism(pipeline.parallelism());

    OpenWitConfig.Kafka kafka = config.ingestion().kafka();
    List<String> receiverTopics = Arrays.stream(Signal.values()).map(kafka.topics()::of).toList();
    ExternalTopicRules externalTopics = new ExternalTopicRules(kafka);
    KafkaSourceBuilder<KafkaRecord> sourceBuilder =
        KafkaSource.<KafkaRecord>builder()
            .setProperties(kafka.clientConfig())
            .setGroupId(pipeline.consumerGroup())
            .setStartingOffsets(startingOffsets(pipeline.startingOffsets()))
            .setDeserializer(new KafkaRecordDeserializer())
            .setProperty("partition.discovery.interval.ms", Long.toString(kafka.topicDiscoveryIntervalMs()));
    if (externalTopics.isEmpty()) {
      sourceBuilder.setTopics(receiverTopics);
    } else {
      sourceBuilder.setTopicPattern(externalTopics.subscription(receiverTopics));
    }
    KafkaSource<KafkaRecord> source = sourceBuilder.build();

    SingleOutputStreamOperator<OtlpBatch> routed =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "otlp-kafka-source")
            .uid(UID_PREFIX + "-source")
            .process(new RecordRouter(config))
            .uid(UID_PREFIX + "-route")
            .name("route-records");
    SingleOutputStreamOperator<DecodedBatch> decoded =
        routed
            .process(new BatchTracking(config))
            .uid(UID_PREFIX + "-tracking")
            .name("track-batches")
            .keyBy(batch -> batch.batchId)
            .process(new DuplicateBatchFilter(Duration.ofMillis(pipeline.dedupWindowMs())))
            .uid(UID_PREFIX + "-dedup")
            .name("drop-retried-batches")
            // after the shuffle, chained to the sink: the rows are handed over in memory, never serialized
            .process(new BatchDecoder(config))
            .uid(UID_PREFIX + "-decode")
            .name("decode-batches");

    // Dead letters are flushed before a checkpoint completes: at least once, like the records they replace.
    routed.getSideOutput(RecordRouter.DEAD_LETTERS)
        .union(decoded.getSideOutput(BatchDecoder.DEAD_LETTERS))
        .sinkTo(KafkaSink.<DeadLetter>builder()
            .setKafkaProducerConfig(DeadLetterTopic.producerConfig(config))
            .setRecordSerializer(new DeadLetterSerializer(kafka.topics().deadLetter()))
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .build())
        .uid(UID_PREFIX + "-dead-letters")
        .name("dead-letter-topic");

    DynamicIcebergSink.forInput(decoded)
        .generator(new TelemetryRecordGenerator(config))
        .catalogLoader(catalogLoader(config))
        // a tenant seen for the first time gets its namespace and tables as the catalog makes them
        .tableCreator((catalog, identifier, schema, spec) -> TenantTables.create(catalog, identifier))
        .writeParallelism(pipeline.parallelism())
        .uidPrefix(UID_PREFIX)
        .append();
  }

  /**
   * Where a job without a checkpoint to resume starts reading: the consumer group's committed
   * offsets (the earliest where it has none), the earliest, or only what arrives from now on.
   */
  private static OffsetsInitializer startingOffsets(String startingOffsets) {
    return switch (startingOffsets) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    };
  }

  /**
   * The job as a graph, ready to submit to a MiniCluster or a cluster; creates the dead-letter topic
   * first if Kafka has none.
   */
  public static JobGraph jobGraph(OpenWitConfig config, Configuration flinkConfiguration) {
    DeadLetterTopic.ensure(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration);
    define(env, config);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(JOB_NAME);
    return graph.getJobGraph();
  }

  static CatalogLoader catalogLoader(OpenWitConfig config) {
    return new ServiceCatalogLoader(config);
  }

  /**
   * Entry point on a Flink cluster: {@code flink run openwit-flink-pipeline-job.jar --config openwit.yaml
   * [--set key.path=value ...]}, or the REST API as {@code openwit submit} uses it (see {@link JobArguments}).
   */
  public static void main(String[] args) throws Exception {
    OpenWitConfig config = JobArguments.parse(args, System.getenv());
    DeadLetterTopic.ensure(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    define(env, config);
    env.execute(JOB_NAME);
  }
}
