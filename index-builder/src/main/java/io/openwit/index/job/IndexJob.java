package io.openwit.index.job;

import io.openwit.common.config.JobArguments;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.iceberg.rest.RESTCatalog;
import io.openwit.common.auth.ServiceCredential;

/**
 * The index job: a tick every {@code index.poll_interval_ms} → plan (one task compares every
 * logs and spans table with the index registry) → apply, keyed by table (build, register, forget,
 * merge segments). Its state is the index registry in the metastore, not Flink state, so the job
 * needs no checkpoints to restart exactly where it was.
 */
public final class IndexJob {
  public static final String JOB_NAME = "openwit-index-builder";
  private static final String UID_PREFIX = "openwit-index";

  private IndexJob() {}

  /** Adds the job's operators to {@code env}. */
  public static void define(StreamExecutionEnvironment env, OpenWitConfig config) {
    double ticksPerSecond = 1000.0 / config.index().pollIntervalMs();
    DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(
        index -> index, Long.MAX_VALUE, RateLimiterStrategy.perSecond(ticksPerSecond), Types.LONG);
    env.fromSource(ticks, WatermarkStrategy.noWatermarks(), "index-ticks")
        .uid(UID_PREFIX + "-ticks")
        .setParallelism(1)
        .process(new PlanIndexWork(config))
        .uid(UID_PREFIX + "-plan")
        .name("plan-index-work")
        .setParallelism(1)
        .keyBy(IndexWork::tableKey)
        .process(new ApplyIndexWork(config))
        .uid(UID_PREFIX + "-apply")
        .name("build-segments")
        .setParallelism(config.pipeline().parallelism());
  }

  /**
   * The job as a graph, ready to submit to a MiniCluster or a cluster; creates the dead-letter topic
   * (where data files that cannot be indexed are reported) first if Kafka has none.
   */
  public static JobGraph jobGraph(OpenWitConfig config, Configuration flinkConfiguration) {
    DeadLetterTopic.ensure(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration);
    define(env, config);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName(JOB_NAME);
    return graph.getJobGraph();
  }

  static RESTCatalog catalog(OpenWitConfig config) {
    RESTCatalog catalog = new RESTCatalog();
    catalog.setConf(new org.apache.hadoop.conf.Configuration());
    catalog.initialize("openwit", ServiceCredential.catalogClientProperties(config));
    return catalog;
  }

  /**
   * Entry point on a Flink cluster: {@code flink run openwit-index-builder-job.jar --config openwit.yaml
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
