package io.openwit.cli.local;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.index.job.IndexJob;
import io.openwit.pipeline.Checkpoints;
import io.openwit.pipeline.IngestJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.prometheus.BoundPrometheusReporterFactory;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink MiniCluster of single-node mode, with its web dashboard, configured from the
 * flink-conf module's {@code local.yaml}. Jobs resume from their newest retained checkpoint.
 */
public final class LocalFlink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFlink.class);

  private final MiniCluster cluster;
  private final Configuration configuration;

  private LocalFlink(MiniCluster cluster, Configuration configuration) {
    this.cluster = cluster;
    this.configuration = configuration;
  }

  /** A MiniCluster whose dashboard and REST API listen on {@code bindAddress}:{@code dashboardPort}. */
  public static LocalFlink start(Path flinkDirectory, String bindAddress, int dashboardPort) {
    Configuration configuration = loadLocalConfiguration(flinkDirectory.resolve("conf"));
    configuration.set(RestOptions.PORT, dashboardPort);
    configuration.set(RestOptions.BIND_ADDRESS, bindAddress);
    // Flink's own Prometheus reporter listens on every interface; this one on the listen address
    configuration.set(ConfigOptions.key("metrics.reporter.prom.factory.class").stringType().noDefaultValue(),
        BoundPrometheusReporterFactory.class.getName());
    configuration.set(ConfigOptions.key("metrics.reporter.prom." + BoundPrometheusReporterFactory.HOST).stringType()
        .noDefaultValue(), bindAddress);
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(configuration.get(TaskManagerOptions.NUM_TASK_SLOTS))
                .build());
    try {
      cluster.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the Flink MiniCluster: " + e.getMessage(), e);
    }
    LOG.info("Flink MiniCluster running; dashboard at http://127.0.0.1:{}", dashboardPort);
    return new LocalFlink(cluster, configuration);
  }

  /** Flink reads config.yaml from a directory, so the bundled file is copied there first. */
  private static Configuration loadLocalConfiguration(Path confDirectory) {
    try (InputStream in = LocalFlink.class.getResourceAsStream("/openwit/flink/local.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openwit/flink/local.yaml is missing from the classpath (flink-conf module)");
      }
      Files.createDirectories(confDirectory);
      Files.copy(in, confDirectory.resolve(GlobalConfiguration.FLINK_CONF_FILENAME),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Flink configuration to " + confDirectory, e);
    }
    return GlobalConfiguration.loadConfiguration(confDirectory.toString());
  }

  /**
   * Submits the ingest job, checkpointing under {@code <data_dir>/flink/checkpoints} and resuming
   * from the newest completed checkpoint there, left by any earlier run.
   */
  public JobID submitIngestJob(OpenWitConfig config) {
    Path checkpointRoot = checkpointRoot(config);
    Configuration jobConfiguration = new Configuration(configuration);
    jobConfiguration.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointRoot.toUri().toString());
    JobGraph job = IngestJob.jobGraph(config, jobConfiguration);
    Optional<Path> checkpoint = Checkpoints.latestCompleted(checkpointRoot);
    checkpoint.ifPresent(path -> job.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(path.toString(), false)));
    try {
      JobID id = cluster.submitJob(job).get().getJobID();
      LOG.info("ingest job {} submitted{}", id, checkpoint.map(path -> ", resuming from " + path).orElse(""));
      return id;
    } catch (Exception e) {
      throw new IllegalStateException("cannot submit the ingest job: " + e.getMessage(), e);
    }
  }

  /**
   * Submits the index job. It keeps its progress in the index registry, not in checkpoints, so a
   * new start simply carries on from what the registry holds.
   */
  public JobID submitIndexJob(OpenWitConfig config) {
    try {
      JobID id = cluster.submitJob(IndexJob.jobGraph(config, new Configuration(configuration))).get().getJobID();
      LOG.info("index job {} submitted", id);
      return id;
    } catch (Exception e) {
      throw new IllegalStateException("cannot submit the index job: " + e.getMessage(), e);
    }
  }

  /** Cancels a job (no savepoint) and waits until it is gone, as a crash or an operator would. */
  public void cancel(JobID job) {
    try {
      cluster.cancelJob(job).get();
      while (!cluster.getJobStatus(job).get().isGloballyTerminalState()) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while cancelling job " + job, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot cancel job " + job + ": " + e.getMessage(), e);
    }
  }

  public JobStatus status(JobID job) {
    try {
      return cluster.getJobStatus(job).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the status of job " + job, e);
    }
  }

  public static Path checkpointRoot(OpenWitConfig config) {
    return config.dataPath().resolve("flink").resolve("checkpoints");
  }

  @Override
  public void close() throws Exception {
    cluster.close();
  }
}
