package io.openwit.cli;

import io.openwit.cli.cluster.FlinkRestClient;
import io.openwit.common.config.JobArguments;
import io.openwit.common.observe.NodeHeartbeat;
import io.openwit.index.job.IndexJob;
import io.openwit.pipeline.IngestJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code openwit submit}: uploads one of the two job jars to a Flink cluster's JobManager through
 * its REST API, runs it with this configuration, and reports the job id once the job runs. A job
 * of that name that has not ended is left alone, so deployments can run submit at every start.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit an OpenWit Flink job (ingest or index) to a Flink cluster through the JobManager's REST API.")
final class Submit implements Callable<Integer> {
  /** States from which a job does not get to RUNNING. */
  private static final Set<String> WILL_NOT_RUN = Set.of("FAILED", "CANCELED", "CANCELLING", "FAILING", "FINISHED", "SUSPENDED");

  /** The two jobs: main class, job name, Maven artifact and module of their fat jar. */
  enum Job {
    ingest(IngestJob.class.getName(), IngestJob.JOB_NAME, "openwit-flink-pipeline", "flink-pipeline"),
    index(IndexJob.class.getName(), IndexJob.JOB_NAME, "openwit-index-builder", "index-builder");

    final String mainClass;
    final String jobName;
    final String artifact;
    final String module;

    Job(String mainClass, String jobName, String artifact, String module) {
      this.mainClass = mainClass;
      this.jobName = jobName;
      this.artifact = artifact;
      this.module = module;
    }
  }

  @Spec
  CommandSpec spec;

  @Option(names = "--jobmanager", required = true, description = "the JobManager's REST address, e.g. http://jobmanager:8081")
  URI jobManager;

  @Option(names = "--job", required = true, description = "ingest or index")
  Job job;

  @Option(names = "--jar", description = "the job's fat jar (default: found next to this installation)")
  Path jar;

  @Option(names = {"-c", "--config"}, description = "openwit.yaml sent with the job (default: ./openwit.yaml if present)")
  Path config;

  @Option(names = "--set", description = "key.path=value overriding the configuration (repeatable)")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--parallelism", defaultValue = "0", description = "job parallelism (default: the cluster's)")
  int parallelism;

  @Option(names = "--from-savepoint", defaultValue = "", description = "a savepoint or retained checkpoint to start from")
  String savepoint;

  @Option(names = "--wait-seconds", defaultValue = "120", description = "how long to wait for the job to run")
  long waitSeconds;

  @Override
  public Integer call() throws Exception {
    List<String> arguments = jobArguments();
    // fail here, with the key's path, rather than in the JobManager's log
    JobArguments.parse(arguments.toArray(String[]::new), System.getenv());
    Path jobJar = jar != null ? jar : locateJar(job);
    FlinkRestClient flink = new FlinkRestClient(jobManager);
    PrintWriter out = spec.commandLine().getOut();
    // a second copy would read the same topics and write the same tables: deployments re-run submit
    List<FlinkRestClient.JobSummary> active = flink.activeJobs(job.jobName);
    if (!active.isEmpty()) {
      FlinkRestClient.JobSummary existing = active.get(0);
      out.printf("job %s (%s) already %s; not submitted again%n", existing.id(), job, existing.state());
      out.flush();
      return 0;
    }
    String jarId = flink.uploadJar(jobJar);
    String jobId;
    try {
      jobId = flink.runJar(jarId, job.mainClass, arguments, parallelism, savepoint);
    } finally {
      // a submitted job's classes live in the cluster's blob store; each upload (~190 MB) would
      // otherwise stay on the JobManager's disk, one more at every upgrade
      flink.deleteJar(jarId);
    }
    String state = awaitRunning(flink, jobId);
    out.printf("job %s (%s) %s%n", jobId, job, state);
    out.printf("dashboard: %s#/job/running/%s/overview%n", withSlash(jobManager), jobId);
    out.flush();
    return "RUNNING".equals(state) ? 0 : 1;
  }

  private List<String> jobArguments() throws IOException {
    List<String> arguments = new ArrayList<>();
    Path file = OpenWit.configFile(config);
    if (file != null) {
      // sent as text, so the file need not exist on the JobManager; ${VARS} are resolved there
      arguments.add(JobArguments.CONFIG_YAML);
      arguments.add(Files.readString(file));
    }
    for (String override : overrides) {
      arguments.add(JobArguments.SET);
      arguments.add(override);
    }
    return arguments;
  }

  private String awaitRunning(FlinkRestClient flink, String jobId) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    String state = flink.jobState(jobId);
    while (!"RUNNING".equals(state) && System.nanoTime() < deadline) {
      if (WILL_NOT_RUN.contains(state)) {
        throw new IllegalStateException("job " + jobId + " is " + state + ": " + flink.rootException(jobId));
      }
      Thread.sleep(500);
      state = flink.jobState(jobId);
    }
    return state;
  }

  /**
   * The job's fat jar of this installation: {@code <openwit.home>/jobs/<artifact>-job.jar} (images),
   * else the one the build left in {@code <openwit.home>/<module>/target} (a source checkout).
   */
  static Path locateJar(Job job) {
    Path home = Path.of(System.getProperty("openwit.home", "."));
    Path installed = home.resolve("jobs").resolve(job.artifact + "-job.jar");
    if (Files.isRegularFile(installed)) {
      return installed;
    }
    Path built = home.resolve(job.module).resolve("target")
        .resolve(job.artifact + "-" + NodeHeartbeat.VERSION + "-job.jar");
    if (Files.isRegularFile(built)) {
      return built;
    }
    throw new IllegalArgumentException("no job jar at " + installed + " or " + built + "; pass --jar");
  }

  private static String withSlash(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? text : text + "/";
  }
}
