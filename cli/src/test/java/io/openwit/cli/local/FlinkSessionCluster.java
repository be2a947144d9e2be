package io.openwit.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.cli.cluster.FlinkRestClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A real Flink session cluster on this machine, as Flink's own scripts start one: a JobManager
 * process (StandaloneSessionClusterEntrypoint, with the web dashboard and jar submission) and
 * TaskManager processes (TaskManagerRunner), each its own JVM on the jars a Flink distribution's
 * lib/ holds (flink-conf's flink-cluster-classpath.txt), configured with flink-conf's cluster.yaml.
 */
final class FlinkSessionCluster implements AutoCloseable {
  /** The module opens of Flink's default config.yaml (env.java.opts.all) for Java 17. */
  private static final List<String> JAVA_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
  private static final MemorySize TASK_MANAGER_PROCESS_SIZE = MemorySize.parse("2g");

  final Path root;
  final URI restUri;
  final FlinkRestClient rest;
  private final Path confDirectory;
  private final Map<String, String> settings;
  private final Map<String, String> environment;
  private final String classpath;
  private final Process jobManager;
  private final List<Process> taskManagers = new ArrayList<>();

  private FlinkSessionCluster(Path root, Path confDirectory, Map<String, String> settings,
      Map<String, String> environment, String classpath, Process jobManager, URI restUri) {
    this.root = root;
    this.confDirectory = confDirectory;
    this.settings = settings;
    this.environment = environment;
    this.classpath = classpath;
    this.jobManager = jobManager;
    this.restUri = restUri;
    this.rest = new FlinkRestClient(restUri);
  }

  /**
   * Starts the JobManager and waits for its REST API. {@code overrides} go over cluster.yaml (e.g.
   * the checkpoint directory), {@code environment} into every process's environment (e.g. S3
   * credentials); Flink's plugins (the S3 file system) come from the build's it-tools folder.
   */
  static FlinkSessionCluster start(Path root, Map<String, String> overrides, Map<String, String> environment)
      throws Exception {
    Path conf = root.resolve("conf");
    Files.createDirectories(conf);
    try (InputStream in = FlinkSessionCluster.class.getResourceAsStream("/openwit/flink/cluster.yaml")) {
      Files.copy(in, conf.resolve("config.yaml"));
    }
    Files.writeString(conf.resolve("log4j2.properties"), """
        rootLogger.level = INFO
        rootLogger.appenderRef.file.ref = File
        appender.file.type = File
        appender.file.name = File
        appender.file.fileName = ${sys:log.file}
        appender.file.layout.type = PatternLayout
        appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n
        """);
    int restPort = SharedEngines.freePort();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("jobmanager.rpc.address", "127.0.0.1");
    settings.put("jobmanager.bind-host", "127.0.0.1");
    settings.put("jobmanager.rpc.port", Integer.toString(SharedEngines.freePort()));
    settings.put("rest.address", "127.0.0.1");
    settings.put("rest.bind-address", "127.0.0.1");
    settings.put("rest.port", Integer.toString(restPort));
    settings.put("io.tmp.dirs", root.resolve("tmp").toString());
    settings.put("web.upload.dir", root.resolve("uploads").toString());
    // a killed TaskManager is noticed in seconds, and the restarting job waits for the new one
    settings.put("heartbeat.interval", "1s");
    settings.put("heartbeat.timeout", "5s");
    settings.put("restart-strategy.exponential-delay.max-backoff", "5s");
    settings.put("metrics.reporter.prom.port", "9300-9400");
    settings.putAll(overrides);
    Map<String, String> processEnvironment = new LinkedHashMap<>(environment);
    processEnvironment.put("FLINK_PLUGINS_DIR", System.getProperty("flink.plugins.dir"));
    Files.createDirectories(root.resolve("tmp"));
    String classpath = Files.readString(Path.of(System.getProperty("flink.cluster.classpath"))).trim();
    Process jobManager = launch(root, conf, classpath, "jobmanager",
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of("-Xmx768m"), settings,
        processEnvironment);
    FlinkSessionCluster cluster = new FlinkSessionCluster(
        root, conf, settings, processEnvironment, classpath, jobManager, URI.create("http://127.0.0.1:" + restPort));
    try {
      Await.until(() -> {
        cluster.assertJobManagerAlive();
        return cluster.overview().isPresent();
      }, Duration.ofMinutes(2), "the JobManager's REST API");
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /**
   * Starts one more TaskManager with the JVM options and derived memory settings Flink's
   * taskmanager.sh would compute, and waits until the JobManager counts it.
   */
  Process startTaskManager() throws Exception {
    int expected = taskManagerCount() + 1;
    int number = taskManagers.size() + 1;
    // as taskmanager.sh computes them from the configuration (slots, memory)
    Configuration configuration = GlobalConfiguration.loadConfiguration(confDirectory.toString());
    configuration.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, TASK_MANAGER_PROCESS_SIZE);
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(configuration);
    List<String> jvm = new ArrayList<>(List.of(ProcessMemoryUtils.generateJvmParametersStr(spec).split(" ")));
    Map<String, String> taskManagerSettings = new LinkedHashMap<>(settings);
    taskManagerSettings.put("taskmanager.host", "127.0.0.1");
    taskManagerSettings.put("taskmanager.bind-host", "127.0.0.1");
    for (String option : TaskExecutorProcessUtils.generateDynamicConfigsStr(spec).trim().split("\\s*-D\\s+")) {
      if (!option.isBlank()) {
        int equals = option.indexOf('=');
        taskManagerSettings.put(option.substring(0, equals).trim(), option.substring(equals + 1).trim());
      }
    }
    Process taskManager = launch(root, confDirectory, classpath, "taskmanager-" + number,
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", jvm, taskManagerSettings, environment);
    taskManagers.add(taskManager);
    Await.until(() -> {
      if (!taskManager.isAlive()) {
        throw new AssertionError("TaskManager exited with " + taskManager.exitValue() + "; see " + root);
      }
      return taskManagerCount() == expected;
    }, Duration.ofMinutes(2), "TaskManager " + expected + " to register");
    return taskManager;
  }

  /**
   * Stops {@code jobId} with a savepoint in the configured savepoint directory, as {@code flink
   * stop} does through the same REST API, and returns the savepoint's location.
   */
  String stopWithSavepoint(String jobId) throws Exception {
    HttpResponse<String> triggered = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(restUri.resolve("/jobs/" + jobId + "/stop"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"drain\": false}")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (triggered.statusCode() != 202) {
      throw new AssertionError("stop with savepoint refused: " + triggered.body());
    }
    String trigger = new ObjectMapper().readTree(triggered.body()).path("request-id").asText();
    JsonNode[] answer = new JsonNode[1];
    Await.until(() -> {
      answer[0] = rest.get("jobs/" + jobId + "/savepoints/" + trigger);
      return answer[0].path("status").path("id").asText().equals("COMPLETED");
    }, Duration.ofMinutes(2), "the savepoint of job " + jobId);
    JsonNode operation = answer[0].path("operation");
    if (operation.has("failure-cause")) {
      throw new AssertionError("savepoint failed: " + operation.path("failure-cause"));
    }
    return operation.path("location").asText();
  }

  /** SIGKILL, as the OOM killer or a lost machine would end it: no shutdown hook runs. */
  void kill(Process taskManager) throws InterruptedException {
    taskManager.destroyForcibly();
    taskManager.waitFor(30, TimeUnit.SECONDS);
  }

  int taskManagerCount() throws IOException, InterruptedException {
    return overview().map(node -> node.path("taskmanagers").asInt()).orElse(0);
  }

  private Optional<JsonNode> overview() throws InterruptedException {
    try {
      return Optional.of(rest.get("overview"));
    } catch (IOException notUpYet) {
      return Optional.empty();
    }
  }

  private void assertJobManagerAlive() {
    if (!jobManager.isAlive()) {
      throw new AssertionError("JobManager exited with " + jobManager.exitValue() + "; see " + root);
    }
  }

  private static Process launch(Path root, Path conf, String classpath, String name, String mainClass,
      List<String> jvmOptions, Map<String, String> settings, Map<String, String> environment) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(JAVA_OPTIONS);
    command.add("-Dlog.file=" + root.resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties").toUri());
    command.addAll(List.of("-cp", classpath, mainClass, "--configDir", conf.toString()));
    settings.forEach((key, value) -> command.addAll(List.of("-D", key + "=" + value)));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    return builder
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve(name + ".out").toFile()))
        .start();
  }

  @Override
  public void close() {
    List<Process> all = new ArrayList<>(taskManagers);
    all.add(jobManager);
    for (Process process : all) {
      process.destroy();
    }
    for (Process process : all) {
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
