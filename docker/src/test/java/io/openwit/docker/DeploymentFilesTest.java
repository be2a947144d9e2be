package io.openwit.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.openwit.cli.OpenWit;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ConfigException;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.JobArguments;
import io.openwit.common.config.ListenAddress;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.index.job.IndexJob;
import io.openwit.pipeline.IngestJob;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Checks the cluster-mode deployment files offline (no Docker, no Kubernetes): that compose.yaml,
 * the Dockerfile and the Kubernetes manifests agree with each other, with the files they name, with
 * the real {@code openwit} CLI, with the Flink jobs' argument parser and with openwit.yaml, and
 * that they ship with authentication on: every OpenWit, Flink and Trino container shares one service key.
 */
class DeploymentFilesTest {
  /** Surefire runs in the module's folder, docker/. */
  private static final Path DOCKER = Path.of("").toAbsolutePath();
  private static final Path CONFIG_FILE = DOCKER.resolve("openwit.yaml");
  private static final Path KUBERNETES = DOCKER.resolve("kubernetes");
  private static final String CONFIG_IN_CONTAINER = "/etc/openwit/openwit.yaml";
  private static final String JOBS_IN_IMAGE = "/opt/openwit/jobs/";
  /** OpenWit's settings for the Flink clusters its jobs run on. */
  private static final Path CLUSTER_YAML =
      DOCKER.resolveSibling("flink-conf").resolve("src/main/resources/openwit/flink/cluster.yaml");
  /** Set by the operator from the FlinkDeployment's job.parallelism. */
  private static final Set<String> OPERATOR_MANAGED_FLINK_KEYS = Set.of("parallelism.default");
  private static final int FLINK_DASHBOARD_PORT = 8081;
  private static final String SERVICE_KEY = ServiceCredential.ENVIRONMENT_VARIABLE;
  /** What the shell (or docker/.env) gives compose's required variables here: only the service key. */
  private static final Map<String, String> SHELL = Map.of(SERVICE_KEY, "service-key-from-docker-env");
  private static final String SECRET = "openwit-secrets";
  /** The compose services whose published ports check an OpenWit key; the others publish on loopback. */
  private static final Set<String> AUTHENTICATED_SERVICES = Set.of("receiver", "catalog", "query-service", "trino");

  private static final Set<String> TOPOLOGY = Set.of(
      "kafka", "postgres", "minio", "minio-init", "jobmanager", "taskmanager", "catalog", "receiver",
      "query-service", "trino-config-coordinator", "trino-config-worker", "trino", "trino-worker", "submit-jobs");
  /** ConfigLoader's syntax: ${VAR} or ${VAR:-default}. */
  private static final Pattern CONFIG_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  /** Compose's: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
  private static final Pattern COMPOSE_REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");
  /**
   * An {@code openwit} command the README runs in a container: {@code docker compose ... exec
   * [-e VAR=...] SERVICE openwit ARGS} or {@code kubectl exec deploy/NAME -- openwit ARGS}.
   */
  private static final Pattern README_OPENWIT_COMMAND =
      Pattern.compile("\\bexec\\s+(?:-e\\s+\\S+\\s+)*(\\S+)\\s+(?:--\\s+)?openwit\\s+([^#\\n`]+)");
  /** The Flink Kubernetes Operator's rule for FlinkDeployment names. */
  private static final Pattern FLINK_DEPLOYMENT_NAME = Pattern.compile("[a-z]([-a-z\\d]{0,43}[a-z\\d])?");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode compose;
  /** The variables compose.yaml requires to be set (${VAR:?error}). */
  private static final Set<String> composeRequiredVariables = new TreeSet<>();
  private static List<JsonNode> manifests;
  private static String configText;

  @BeforeAll
  static void load() throws IOException {
    // interpolated as `docker compose` would with only the service key set (docker/.env): the demo defaults
    compose = YAML.readTree(interpolateCompose(Files.readString(DOCKER.resolve("compose.yaml")), SHELL));
    manifests = new ArrayList<>();
    for (Path file : manifestFiles()) {
      manifests.addAll(readAllDocuments(file));
    }
    configText = Files.readString(CONFIG_FILE);
  }

  // ---- 1. compose.yaml, the Dockerfile and the files they name

  @Test
  void composeDefinesTheWholeTopology() {
    assertThat(fieldNames(compose.path("services"))).containsAll(TOPOLOGY);
  }

  @Test
  void composeBuildsNameAnExistingDockerfileAndOneOfItsStages() throws IOException {
    for (String service : servicesWithBuild()) {
      Path context = buildContext(service);
      Path dockerfile = dockerfile(service);
      assertThat(context).as("build context of %s", service).isDirectory();
      assertThat(dockerfile).as("Dockerfile of %s", service).isRegularFile();
      assertThat(dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore"))
          .as("the Dockerfile's own ignore file, keeping target/ out of the context").isRegularFile();
      assertThat(stageNames(parseDockerfile(dockerfile)))
          .as("stages of %s", dockerfile).contains(text(service(service).path("build"), "target"));
    }
  }

  @Test
  void servicesThatShareAnImageNameBuildTheSameImage() {
    Map<String, JsonNode> buildOfImage = new HashMap<>();
    for (String service : servicesWithBuild()) {
      JsonNode build = service(service).path("build");
      JsonNode first = buildOfImage.putIfAbsent(text(service(service), "image"), build);
      assertThat(first == null ? build : first).as("build of %s", service).isEqualTo(build);
    }
  }

  @Test
  void dockerfileCopiesOnlyWhatTheContextHolds() throws IOException {
    Path dockerfile = dockerfileOfTarget("openwit");
    Path context = buildContextOfTarget("openwit");
    List<String> ignored = ignorePatterns(dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore"));
    List<String> stagesSoFar = new ArrayList<>();
    for (Stage stage : parseDockerfile(dockerfile)) {
      for (Instruction copy : stage.instructions("COPY", "ADD")) {
        String from = copy.flag("from");
        if (from != null) {
          assertThat(stagesSoFar).as("%s names an earlier stage", copy.text()).contains(from);
          continue;
        }
        for (String source : copy.sources()) {
          assertThat(matchesInContext(context, source)).as("%s: %s in the build context", copy.text(), source)
              .isNotEmpty();
          assertThat(ignored).as("%s: %s is not excluded by the ignore file", copy.text(), source)
              .noneMatch(pattern -> excludes(pattern, source));
        }
      }
      stagesSoFar.add(stage.name());
    }
  }

  @Test
  void composeStartsEachPartAfterWhatItNeeds() {
    assertThat(dependsOn("catalog")).containsEntry("postgres", "service_healthy").containsEntry("kafka", "service_healthy");
    for (String service : List.of("receiver", "query-service", "submit-jobs")) {
      assertThat(dependsOn(service)).as(service).containsEntry("catalog", "service_healthy");
    }
    assertThat(dependsOn("submit-jobs")).containsEntry("jobmanager", "service_healthy");
    assertThat(dependsOn("trino")).containsEntry("trino-config-coordinator", "service_completed_successfully");
    assertThat(dependsOn("trino-worker")).containsEntry("trino-config-worker", "service_completed_successfully");
    for (String service : fieldNames(compose.path("services"))) {
      dependsOn(service).forEach((dependency, condition) -> {
        assertThat(fieldNames(compose.path("services"))).as("%s depends on %s", service, dependency).contains(dependency);
        if (condition.equals("service_healthy")) {
          assertThat(service(dependency).has("healthcheck")).as("%s waits for %s to be healthy", service, dependency).isTrue();
        }
      });
    }
  }

  // ---- 2. commands and arguments against the real CLI and the jobs' parser

  @Test
  void composeCommandsParseWithTheRealCli() {
    for (String service : servicesOfImage(imageOfTarget("openwit"))) {
      List<List<String>> commands = openWitCommands(service(service));
      assertThat(commands).as("openwit commands of %s", service).isNotEmpty();
      for (List<String> command : commands) {
        Path config = optionValue(parseWithCli(command), "--config");
        assertThat(config).as("%s: %s", service, command).hasToString(CONFIG_IN_CONTAINER);
      }
      assertThat(bindMounts(service)).as("%s mounts docker/openwit.yaml", service)
          .containsEntry(CONFIG_IN_CONTAINER, CONFIG_FILE);
    }
  }

  @Test
  void kubernetesCommandsParseWithTheRealCli() {
    List<Container> containers = openWitContainers();
    assertThat(containers).isNotEmpty();
    for (Container container : containers) {
      assertThat(container.spec().has("command")).as("%s keeps the image's openwit entrypoint", container).isFalse();
      Path config = optionValue(parseWithCli(strings(container.spec().path("args"))), "--config");
      assertThat(config).as(container.toString()).hasToString(CONFIG_IN_CONTAINER);
      assertThat(container.configMapMountedAt("/etc/openwit")).as(container.toString()).isEqualTo("openwit-config");
    }
  }

  @Test
  void flinkJobArgumentsParseWithTheJobsParser() throws NoSuchMethodException, ClassNotFoundException {
    assertThat(kind("FlinkDeployment").stream().map(deployment -> text(deployment.path("spec").path("job"), "entryClass")))
        .containsExactlyInAnyOrder(IngestJob.class.getName(), IndexJob.class.getName());
    for (JsonNode deployment : kind("FlinkDeployment")) {
      JsonNode job = deployment.path("spec").path("job");
      List<String> args = new ArrayList<>(strings(job.path("args")));
      int config = args.indexOf(JobArguments.CONFIG);
      assertThat(config).as("%s passes --config", name(deployment)).isNotNegative();
      assertThat(args.get(config + 1)).isEqualTo(CONFIG_IN_CONTAINER);
      args.set(config + 1, CONFIG_FILE.toString());
      Map<String, String> environment = flinkMainContainer(deployment).environment();
      assertThatCode(() -> JobArguments.parse(args.toArray(String[]::new), environment))
          .as("job arguments of %s", name(deployment)).doesNotThrowAnyException();
      Class<?> entryClass = Class.forName(text(job, "entryClass"), false, getClass().getClassLoader());
      Method main = entryClass.getMethod("main", String[].class);
      assertThat(Modifier.isStatic(main.getModifiers())).as("%s is a main class", text(job, "entryClass")).isTrue();
    }
  }

  @Test
  void flinkJarUrisPointAtJarsTheFlinkImageHolds() throws IOException {
    List<Stage> stages = parseDockerfile(dockerfileOfTarget("flink"));
    List<Instruction> jobsCopy = stage(stages, "flink").instructions("COPY").stream()
        .filter(copy -> copy.destination().equals(JOBS_IN_IMAGE)).toList();
    assertThat(jobsCopy).as("the flink stage copies the job jars to %s", JOBS_IN_IMAGE).hasSize(1);
    Instruction copy = jobsCopy.get(0);
    String buildSteps = stage(stages, copy.flag("from")).instructions("RUN").stream()
        .map(Instruction::text).collect(Collectors.joining("\n"));
    for (JsonNode deployment : kind("FlinkDeployment")) {
      assertThat(text(deployment.path("spec"), "image")).as(name(deployment)).isEqualTo(imageOfTarget("flink"));
      String jarUri = text(deployment.path("spec").path("job"), "jarURI");
      assertThat(jarUri).as(name(deployment)).startsWith("local://" + JOBS_IN_IMAGE);
      String jar = jarUri.substring(jarUri.lastIndexOf('/') + 1);
      assertThat(buildSteps).as("stage %s writes the %s the flink stage copies", copy.flag("from"), jar)
          .contains(copy.sources().get(0) + jar);
    }
  }

  // ---- 3. openwit.yaml loads in every process that reads it

  @Test
  void configLoadsInEveryComposeProcess() throws IOException {
    Set<String> readers = new TreeSet<>(servicesOfImage(imageOfTarget("openwit")));
    readers.addAll(servicesOfImage(imageOfTarget("flink")));
    assertThat(readers).contains("catalog", "receiver", "query-service", "submit-jobs", "jobmanager", "taskmanager");
    for (String service : readers) {
      String target = text(service(service).path("build"), "target");
      Map<String, String> environment = imageEnvironment(parseDockerfile(dockerfileOfTarget(target)), target);
      environment.putAll(composeEnvironment(service));
      assertLoads(environment, "compose service " + service);
    }
  }

  @Test
  void configLoadsInEveryKubernetesProcess() {
    List<Container> readers = new ArrayList<>(openWitContainers());
    kind("FlinkDeployment").forEach(deployment -> readers.add(flinkMainContainer(deployment)));
    for (Container container : readers) {
      assertLoads(container.environment(), "Kubernetes container " + container);
      assertThat(container.configMapMountedAt("/etc/openwit")).as(container.toString()).isEqualTo("openwit-config");
    }
  }

  @Test
  void kubernetesConfigMapHoldsDockerOpenwitYaml() {
    JsonNode configMap = named("ConfigMap", "openwit-config");
    assertThat(text(configMap.path("data"), "openwit.yaml")).isEqualTo(configText);
  }

  // ---- 4. ports

  @Test
  void composePortsAgreeWithTheConfiguration() {
    OpenWitConfig config = loadConfig(composeEnvironment("catalog"));
    expectedPorts(config).forEach((service, ports) ->
        assertThat(containerPorts(service(service))).as("ports of %s", service).isEqualTo(ports));
    for (String service : List.of("trino-config-coordinator", "trino-config-worker")) {
      for (List<String> command : openWitCommands(service(service))) {
        URI coordinator = optionValue(parseWithCli(command), "--coordinator-uri");
        assertThat(coordinator).as("%s names the coordinator", service).isNotNull();
        assertThat(coordinator.getHost()).as(service).isEqualTo("trino");
        assertThat(coordinator.getPort()).as(service).isEqualTo(config.trino().port());
      }
    }
    assertThat(service(config.catalog().advertisedHost()).isMissingNode()).as("catalog.advertised_host is a service").isFalse();
    assertThat(service(config.query().advertisedHost()).isMissingNode()).as("query.advertised_host is a service").isFalse();
  }

  @Test
  void kubernetesPortsAgreeWithTheConfiguration() {
    OpenWitConfig config = loadConfig(openWitContainers().get(0).environment());
    Map<String, Set<Integer>> expected = new LinkedHashMap<>(expectedPorts(config));
    expected.remove("jobmanager"); // the operator makes the Flink dashboard's Service itself
    // the workers reach the coordinator through the Service too, on the plain port (--coordinator-uri)
    expected.put("trino", new TreeSet<>(Set.of(config.trino().port(), config.trino().httpsPort())));
    expected.forEach((service, ports) -> {
      JsonNode spec = named("Service", service).path("spec");
      assertThat(ints(spec.path("ports"), "port")).as("ports of Service %s", service).isEqualTo(ports);
      assertThat(ints(spec.path("ports"), "targetPort")).as("targetPorts of Service %s", service).isEqualTo(ports);
      JsonNode pod = selectedPodTemplate(spec.path("selector"));
      Set<Integer> containerPorts = new TreeSet<>();
      pod.path("spec").path("containers").forEach(container -> containerPorts.addAll(ints(container.path("ports"), "containerPort")));
      assertThat(containerPorts).as("container ports behind Service %s", service).isEqualTo(ports);
    });
    for (Container container : openWitContainers()) {
      URI coordinator = optionValue(parseWithCli(strings(container.spec().path("args"))), "--coordinator-uri");
      if (coordinator != null) {
        assertThat(ints(named("Service", coordinator.getHost()).path("spec").path("ports"), "port"))
            .as("the Service %s", coordinator).contains(coordinator.getPort());
        assertThat(coordinator.getPort()).isEqualTo(config.trino().port());
      }
    }
    for (String host : List.of(config.catalog().advertisedHost(), config.query().advertisedHost())) {
      assertThat(kind("Service").stream().map(DeploymentFilesTest::name)).as("advertised hosts are Services").contains(host);
    }
  }

  // ---- 5. authentication on every door, one service key in every process

  @Test
  void configTurnsAuthenticationOnAndListensBeyondLoopback() {
    OpenWitConfig config = loadConfig(composeEnvironment("catalog"));
    assertThat(config.auth().enabled()).as("auth.enabled").isTrue();
    assertThat(config.auth().allowOpenNetwork()).as("auth.allow_open_network").isFalse();
    assertThat(ListenAddress.isLoopback(config.listenAddress()))
        .as("listen_address %s: other containers must reach every port", config.listenAddress()).isFalse();
    assertThat(config.auth().serviceKeyFile()).as("the service key comes from the environment, not a file").isEmpty();
    // the guard the comments rely on: this listen address with authentication off does not start
    assertThatThrownBy(() -> ConfigLoader.parse(configText, Map.of("auth.enabled", "false"),
        composeEnvironment("catalog"), CONFIG_FILE.toString()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("listen_address");
  }

  @Test
  void composeGivesEveryOpenWitFlinkAndTrinoContainerTheOneServiceKey() {
    assertThat(composeRequiredVariables).as("variables compose.yaml requires, with no default").containsExactly(SERVICE_KEY);
    Set<String> needKey = new TreeSet<>();
    for (String target : List.of("openwit", "flink", "trino")) {
      needKey.addAll(servicesOfImage(imageOfTarget(target)));
    }
    assertThat(needKey).contains("catalog", "receiver", "query-service", "submit-jobs", "trino-config-coordinator",
        "trino-config-worker", "jobmanager", "taskmanager", "trino", "trino-worker");
    Set<String> haveKey = new TreeSet<>();
    for (String service : fieldNames(compose.path("services"))) {
      if (composeEnvironment(service).containsKey(SERVICE_KEY)) {
        haveKey.add(service);
        // the required variable, the same in every container: no default, no literal key
        assertThat(composeEnvironment(service)).as(service).containsEntry(SERVICE_KEY, SHELL.get(SERVICE_KEY));
      }
    }
    assertThat(haveKey).as("services that get %s", SERVICE_KEY).isEqualTo(needKey);
  }

  @Test
  void kubernetesGivesEveryContainerTheServiceKeyOfTheSecretByName() {
    assertThat(secretData(SECRET)).as("the example Secret %s", SECRET).containsKey(SERVICE_KEY);
    assertThat(secretData(SECRET).get(SERVICE_KEY)).isNotBlank();
    List<Container> containers = new ArrayList<>();
    for (JsonNode pod : podSpecs()) {
      for (String list : List.of("initContainers", "containers")) {
        pod.path(list).forEach(container -> containers.add(new Container(pod, container)));
      }
    }
    assertThat(containers.stream().map(container -> text(container.spec(), "image")))
        .as("the OpenWit and Trino images run in the manifests' pods")
        .contains(imageOfTarget("openwit"), imageOfTarget("trino"));
    assertThat(containers).as("the FlinkDeployments' JobManager and TaskManager container")
        .containsAll(kind("FlinkDeployment").stream().map(DeploymentFilesTest::flinkMainContainer).toList());
    for (Container container : containers) {
      // named (envFrom skips a missing key): a Secret without it stops the pod instead of each
      // process generating its own key
      List<JsonNode> named = new ArrayList<>();
      container.spec().path("env").forEach(variable -> {
        if (SERVICE_KEY.equals(text(variable, "name"))) {
          named.add(variable.path("valueFrom").path("secretKeyRef"));
        }
      });
      assertThat(named).as("%s names %s", container, SERVICE_KEY).hasSize(1);
      assertThat(text(named.get(0), "name")).as(container.toString()).isEqualTo(SECRET);
      assertThat(text(named.get(0), "key")).as(container.toString()).isEqualTo(SERVICE_KEY);
      assertThat(named.get(0).path("optional").asBoolean(false)).as("%s: the key is not optional", container).isFalse();
      assertThat(container.environment().get(SERVICE_KEY)).as(container.toString()).isEqualTo(secretData(SECRET).get(SERVICE_KEY));
    }
  }

  @Test
  void composePublishesPortsWithoutAnOpenWitKeyOnLoopbackOnly() {
    assertThat(fieldNames(compose.path("services"))).containsAll(AUTHENTICATED_SERVICES);
    for (String service : fieldNames(compose.path("services"))) {
      if (AUTHENTICATED_SERVICES.contains(service)) {
        continue;
      }
      for (JsonNode port : service(service).path("ports")) {
        assertThat(hostIp(port)).as("%s publishes %s", service, port).isEqualTo("127.0.0.1");
      }
    }
  }

  @Test
  void readmeCommandsParseWithTheRealCliInOpenWitContainers() throws IOException {
    Matcher command = README_OPENWIT_COMMAND.matcher(Files.readString(DOCKER.resolve("README.md")));
    List<String> subcommands = new ArrayList<>();
    while (command.find()) {
      String container = command.group(1);
      List<String> args = Arrays.asList(command.group(2).trim().split("\\s+"));
      ParseResult parsed = parseWithCli(args);
      subcommands.add(parsed.subcommand().commandSpec().name() + " "
          + (parsed.subcommand().hasSubcommand() ? parsed.subcommand().subcommand().commandSpec().name() : ""));
      Path config = optionValue(parsed, "--config");
      assertThat(config).as("%s: %s", container, args).hasToString(CONFIG_IN_CONTAINER);
      if (container.startsWith("deploy/")) {
        JsonNode pod = named("Deployment", container.substring("deploy/".length())).path("spec").path("template");
        assertThat(text(pod.path("spec").path("containers").path(0), "image")).as(container).isEqualTo(imageOfTarget("openwit"));
      } else {
        assertThat(text(service(container), "image")).as("compose service %s", container).isEqualTo(imageOfTarget("openwit"));
      }
    }
    assertThat(subcommands).as("how the README makes keys").contains("tenants create", "admin-keys create");
  }

  // ---- 6. Kubernetes manifests are complete

  @Test
  void everyManifestHasApiVersionKindAndName() {
    assertThat(manifests).isNotEmpty();
    for (JsonNode manifest : manifests) {
      assertThat(text(manifest, "apiVersion")).as(manifest.toString()).isNotBlank();
      assertThat(text(manifest, "kind")).as(manifest.toString()).isNotBlank();
      assertThat(name(manifest)).as(manifest.toString()).isNotBlank();
    }
  }

  @Test
  void kustomizationListsEveryManifestButTheSecretExample() throws IOException {
    JsonNode kustomization = YAML.readTree(KUBERNETES.resolve("kustomization.yaml").toFile());
    Set<String> files = manifestFiles().stream().map(file -> file.getFileName().toString())
        .filter(file -> !file.equals("secret.example.yaml")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(new TreeSet<>(strings(kustomization.path("resources")))).isEqualTo(files);
  }

  @Test
  void flinkDeploymentsHaveWhatTheOperatorRequires() {
    assertThat(kind("FlinkDeployment")).hasSize(2);
    for (JsonNode deployment : kind("FlinkDeployment")) {
      String name = name(deployment);
      JsonNode spec = deployment.path("spec");
      JsonNode job = spec.path("job");
      assertThat(name).matches(FLINK_DEPLOYMENT_NAME);
      assertThat(text(deployment, "apiVersion")).isEqualTo("flink.apache.org/v1beta1");
      assertThat(text(spec, "flinkVersion")).as(name).isEqualTo("v2_1");
      assertThat(text(spec, "serviceAccount")).as(name).isNotBlank();
      assertThat(text(spec.path("jobManager").path("resource"), "memory")).as(name).isNotBlank();
      assertThat(text(spec.path("taskManager").path("resource"), "memory")).as(name).isNotBlank();
      assertThat(text(job, "jarURI")).as(name).isNotBlank();
      assertThat(text(job, "entryClass")).as(name).isNotBlank();
      assertThat(strings(job.path("args"))).as(name).isNotEmpty();
      assertThat(job.path("parallelism").asInt()).as(name).isPositive();
      assertThat(text(job, "upgradeMode")).as(name).isIn("stateless", "savepoint", "last-state");
      Map<String, String> flink = stringMap(spec.path("flinkConfiguration"));
      if (!text(job, "upgradeMode").equals("stateless")) {
        assertThat(flink).as(name).containsKeys("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir");
      }
      assertThat(flink).as(name).doesNotContainKeys("kubernetes.namespace", "kubernetes.cluster-id", "high-availability.cluster-id");
      for (String key : flink.keySet()) {
        assertThat(flink.keySet()).as("%s: Flink 2 refuses keys nested under %s", name, key)
            .noneMatch(other -> other.startsWith(key + "."));
      }
    }
  }

  @Test
  void flinkDeploymentsCarryTheClusterSettingsOfFlinkConf() throws IOException {
    // the operator writes the Flink configuration of its clusters, so the image's conf/ is not used
    Map<String, String> cluster = new LinkedHashMap<>();
    flatten("", YAML.readTree(CLUSTER_YAML.toFile()), cluster);
    cluster.keySet().removeAll(OPERATOR_MANAGED_FLINK_KEYS);
    assertThat(cluster).isNotEmpty();
    for (JsonNode deployment : kind("FlinkDeployment")) {
      assertThat(stringMap(deployment.path("spec").path("flinkConfiguration")))
          .as("flinkConfiguration of %s has every key of %s", name(deployment), CLUSTER_YAML.getFileName())
          .containsKeys(cluster.keySet().toArray(String[]::new));
    }
  }

  @Test
  void deploymentsSelectTheirOwnPods() {
    for (JsonNode deployment : kind("Deployment")) {
      Map<String, String> selector = stringMap(deployment.path("spec").path("selector").path("matchLabels"));
      Map<String, String> labels = stringMap(deployment.path("spec").path("template").path("metadata").path("labels"));
      assertThat(selector).as(name(deployment)).isNotEmpty();
      assertThat(labels).as(name(deployment)).containsAllEntriesOf(selector);
    }
  }

  // ---- compose helpers

  private static JsonNode service(String name) {
    return compose.path("services").path(name);
  }

  private static List<String> servicesWithBuild() {
    return fieldNames(compose.path("services")).stream().filter(name -> service(name).has("build")).toList();
  }

  private static List<String> servicesOfImage(String image) {
    return fieldNames(compose.path("services")).stream().filter(name -> image.equals(text(service(name), "image"))).toList();
  }

  /** The image name compose gives the Dockerfile stage {@code target}; one name per stage. */
  private static String imageOfTarget(String target) {
    Set<String> images = servicesWithBuild().stream()
        .filter(name -> target.equals(text(service(name).path("build"), "target")))
        .map(name -> text(service(name), "image")).collect(Collectors.toSet());
    assertThat(images).as("image names of stage %s", target).hasSize(1);
    return images.iterator().next();
  }

  private static String serviceOfTarget(String target) {
    return servicesOfImage(imageOfTarget(target)).get(0);
  }

  private static Path buildContext(String service) {
    return DOCKER.resolve(text(service(service).path("build"), "context")).normalize();
  }

  private static Path dockerfile(String service) {
    return buildContext(service).resolve(text(service(service).path("build"), "dockerfile")).normalize();
  }

  private static Path buildContextOfTarget(String target) {
    return buildContext(serviceOfTarget(target));
  }

  private static Path dockerfileOfTarget(String target) {
    return dockerfile(serviceOfTarget(target));
  }

  /** Each openwit command line of a service: its command, or the commands of its {@code sh -c} script. */
  private static List<List<String>> openWitCommands(JsonNode service) {
    List<String> entrypoint = strings(service.path("entrypoint"));
    List<String> command = strings(service.path("command"));
    if (entrypoint.isEmpty()) {
      return List.of(command);
    }
    assertThat(entrypoint).as("a shell entrypoint").isEqualTo(List.of("sh", "-c"));
    List<List<String>> commands = new ArrayList<>();
    for (String line : String.join(" ", command).split("&&")) {
      List<String> words = Arrays.asList(line.trim().split("\\s+"));
      assertThat(words.get(0)).as("each command of the script runs openwit: %s", line).isEqualTo("openwit");
      commands.add(words.subList(1, words.size()));
    }
    return commands;
  }

  /** The service's environment after interpolation, from a mapping or a list of KEY=VALUE. */
  private static Map<String, String> composeEnvironment(String service) {
    JsonNode environment = service(service).path("environment");
    Map<String, String> variables = new LinkedHashMap<>();
    if (environment.isArray()) {
      environment.forEach(entry -> {
        String[] pair = entry.asText().split("=", 2);
        variables.put(pair[0], pair.length > 1 ? pair[1] : "");
      });
    } else {
      variables.putAll(stringMap(environment));
    }
    return variables;
  }

  /** Container path to host path of the service's bind mounts (short syntax, relative to docker/). */
  private static Map<String, Path> bindMounts(String service) {
    Map<String, Path> mounts = new HashMap<>();
    for (String volume : strings(service(service).path("volumes"))) {
      String[] parts = volume.split(":");
      if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
        mounts.put(parts[1], DOCKER.resolve(parts[0]).normalize());
      }
    }
    return mounts;
  }

  private static Map<String, String> dependsOn(String service) {
    JsonNode dependsOn = service(service).path("depends_on");
    Map<String, String> conditions = new LinkedHashMap<>();
    if (dependsOn.isArray()) {
      dependsOn.forEach(name -> conditions.put(name.asText(), "service_started"));
    } else {
      fieldNames(dependsOn).forEach(name -> conditions.put(name, text(dependsOn.path(name), "condition")));
    }
    return conditions;
  }

  /** The host address a port is published on ("IP:HOST:CONTAINER" or long syntax), "" for every address. */
  private static String hostIp(JsonNode port) {
    if (port.isObject()) {
      return text(port, "host_ip");
    }
    String[] parts = port.asText().split("/")[0].split(":");
    return parts.length == 3 ? parts[0] : "";
  }

  /** The container side of each published port ("HOST:CONTAINER", "CONTAINER" or long syntax). */
  private static Set<Integer> containerPorts(JsonNode service) {
    Set<Integer> ports = new TreeSet<>();
    for (JsonNode port : service.path("ports")) {
      if (port.isObject()) {
        ports.add(port.path("target").asInt());
      } else {
        String mapping = port.asText().split("/")[0];
        ports.add(Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1)));
      }
    }
    return ports;
  }

  /** Compose's interpolation with {@code shell} set: only required variables are looked up there. */
  private static String interpolateCompose(String text, Map<String, String> shell) {
    Matcher matcher = COMPOSE_REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value;
      if (matcher.group().equals("$$")) {
        value = "$";
      } else if (matcher.group(2) == null) {
        value = ""; // unset without a default: compose warns and substitutes nothing
      } else if (matcher.group(2).endsWith("?")) {
        composeRequiredVariables.add(matcher.group(1));
        value = shell.get(matcher.group(1));
        if (value == null) {
          throw new IllegalStateException("compose.yaml requires " + matcher.group(1) + " to be set in the shell");
        }
      } else {
        value = matcher.group(3);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  // ---- Dockerfile helpers

  /** One instruction: keyword, --flags, arguments (JSON or whitespace form) and its whole text. */
  record Instruction(String keyword, Map<String, String> flags, List<String> arguments, String text) {
    String flag(String name) {
      return flags.get(name);
    }

    List<String> sources() {
      return arguments.subList(0, arguments.size() - 1);
    }

    String destination() {
      return arguments.get(arguments.size() - 1);
    }
  }

  record Stage(String name, String base, List<Instruction> instructions) {
    List<Instruction> instructions(String... keywords) {
      List<String> wanted = List.of(keywords);
      return instructions.stream().filter(instruction -> wanted.contains(instruction.keyword())).toList();
    }
  }

  private static List<Stage> parseDockerfile(Path file) throws IOException {
    List<Stage> stages = new ArrayList<>();
    for (String line : logicalLines(Files.readAllLines(file))) {
      String[] keywordAndRest = line.trim().split("\\s+", 2);
      String keyword = keywordAndRest[0].toUpperCase();
      String rest = keywordAndRest.length > 1 ? keywordAndRest[1] : "";
      Map<String, String> flags = new LinkedHashMap<>();
      while (rest.startsWith("--")) {
        String[] flagAndRest = rest.split("\\s+", 2);
        String[] flag = flagAndRest[0].substring(2).split("=", 2);
        flags.put(flag[0], flag.length > 1 ? flag[1] : "");
        rest = flagAndRest.length > 1 ? flagAndRest[1] : "";
      }
      List<String> arguments = rest.startsWith("[") ? strings(YAML.readTree(rest)) : List.of(rest.split("\\s+"));
      if (keyword.equals("FROM")) {
        String name = arguments.size() == 3 && arguments.get(1).equalsIgnoreCase("AS") ? arguments.get(2) : "";
        stages.add(new Stage(name, arguments.get(0), new ArrayList<>()));
      } else {
        assertThat(stages).as("%s comes after a FROM", line).isNotEmpty();
        stages.get(stages.size() - 1).instructions().add(new Instruction(keyword, flags, arguments, line.trim()));
      }
    }
    return stages;
  }

  /** Lines with their continuations joined; comments and blank lines dropped. */
  private static List<String> logicalLines(List<String> lines) {
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
      } else {
        logical.add(current.append(line).toString());
        current.setLength(0);
      }
    }
    return logical;
  }

  private static List<String> stageNames(List<Stage> stages) {
    return stages.stream().map(Stage::name).toList();
  }

  private static Stage stage(List<Stage> stages, String name) {
    return stages.stream().filter(stage -> stage.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("the Dockerfile has no stage " + name));
  }

  /** ENV of the stage and of the stages it is built on (not of external base images). */
  private static Map<String, String> imageEnvironment(List<Stage> stages, String name) {
    Map<String, String> environment = new HashMap<>();
    Stage stage = stage(stages, name);
    if (stageNames(stages).contains(stage.base())) {
      environment.putAll(imageEnvironment(stages, stage.base()));
    }
    for (Instruction env : stage.instructions("ENV")) {
      for (String assignment : env.arguments()) {
        assertThat(assignment).as("ENV in KEY=VALUE form: %s", env.text()).contains("=");
        String[] pair = assignment.split("=", 2);
        environment.put(pair[0], pair[1]);
      }
    }
    return environment;
  }

  /** Files of the context that a COPY source names; a wildcard may stand in the last path element. */
  private static List<Path> matchesInContext(Path context, String source) throws IOException {
    Path path = context.resolve(source).normalize();
    String name = path.getFileName().toString();
    if (!name.contains("*") && !name.contains("?") && !name.contains("[")) {
      return Files.exists(path) ? List.of(path) : List.of();
    }
    if (!Files.isDirectory(path.getParent())) {
      return List.of();
    }
    try (DirectoryStream<Path> matches = Files.newDirectoryStream(path.getParent(), name)) {
      return StreamSupport.stream(matches.spliterator(), false).toList();
    }
  }

  private static List<String> ignorePatterns(Path ignoreFile) throws IOException {
    return Files.readAllLines(ignoreFile).stream().map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(line -> line.startsWith("/") ? line.substring(1) : line).toList();
  }

  /** Whether the ignore pattern excludes the path or a folder it is in (** also matches no folder). */
  private static boolean excludes(String pattern, String source) {
    List<String> patterns = pattern.startsWith("**/") ? List.of(pattern, pattern.substring(3)) : List.of(pattern);
    Path path = Path.of(source).normalize();
    for (String glob : patterns) {
      var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (int count = 1; count <= path.getNameCount(); count++) {
        if (matcher.matches(path.subpath(0, count))) {
          return true;
        }
      }
    }
    return false;
  }

  // ---- Kubernetes helpers

  private static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> files = Files.list(KUBERNETES)) {
      return files.filter(file -> file.toString().endsWith(".yaml"))
          .filter(file -> !file.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
    }
  }

  private static List<JsonNode> readAllDocuments(Path file) throws IOException {
    try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      return documents.readAll();
    }
  }

  private static List<JsonNode> kind(String kind) {
    return manifests.stream().filter(manifest -> kind.equals(text(manifest, "kind"))).toList();
  }

  private static JsonNode named(String kind, String name) {
    List<JsonNode> found = kind(kind).stream().filter(manifest -> name.equals(name(manifest))).toList();
    assertThat(found).as("%s %s in the manifests", kind, name).hasSize(1);
    return found.get(0);
  }

  private static String name(JsonNode manifest) {
    return text(manifest.path("metadata"), "name");
  }

  /** A container of a pod template, with the pod's spec (its volumes). */
  record Container(JsonNode pod, JsonNode spec) {
    /** The environment: envFrom ConfigMaps and Secrets of the manifests, then env. */
    Map<String, String> environment() {
      Map<String, String> environment = new HashMap<>();
      for (JsonNode source : spec.path("envFrom")) {
        if (source.has("configMapRef")) {
          environment.putAll(configMapData(text(source.path("configMapRef"), "name")));
        } else {
          environment.putAll(secretData(text(source.path("secretRef"), "name")));
        }
      }
      for (JsonNode variable : spec.path("env")) {
        JsonNode from = variable.path("valueFrom");
        String value;
        if (from.has("configMapKeyRef")) {
          value = configMapData(text(from.path("configMapKeyRef"), "name")).get(text(from.path("configMapKeyRef"), "key"));
        } else if (from.has("secretKeyRef")) {
          value = secretData(text(from.path("secretKeyRef"), "name")).get(text(from.path("secretKeyRef"), "key"));
        } else {
          value = text(variable, "value");
        }
        environment.put(text(variable, "name"), value);
      }
      return environment;
    }

    /** The ConfigMap behind the volume mounted at {@code path}, or "" when none is. */
    String configMapMountedAt(String path) {
      for (JsonNode mount : spec.path("volumeMounts")) {
        if (text(mount, "mountPath").equals(path)) {
          for (JsonNode volume : pod.path("volumes")) {
            if (text(volume, "name").equals(text(mount, "name"))) {
              return text(volume.path("configMap"), "name");
            }
          }
        }
      }
      return "";
    }

    @Override
    public String toString() {
      return text(spec, "name") + " (" + text(spec, "image") + ")";
    }
  }

  /** Every pod spec of the manifests: Deployments' templates and FlinkDeployments' pod templates. */
  private static List<JsonNode> podSpecs() {
    List<JsonNode> specs = new ArrayList<>();
    kind("Deployment").forEach(deployment -> specs.add(deployment.path("spec").path("template").path("spec")));
    kind("FlinkDeployment").forEach(deployment -> specs.add(deployment.path("spec").path("podTemplate").path("spec")));
    return specs;
  }

  /** Containers and init containers that run the OpenWit image. */
  private static List<Container> openWitContainers() {
    String image = imageOfTarget("openwit");
    List<Container> containers = new ArrayList<>();
    for (JsonNode pod : podSpecs()) {
      for (String list : List.of("initContainers", "containers")) {
        pod.path(list).forEach(container -> {
          if (image.equals(text(container, "image"))) {
            containers.add(new Container(pod, container));
          }
        });
      }
    }
    return containers;
  }

  /** The Flink container of a FlinkDeployment's JobManager and TaskManagers (the operator's name for it). */
  private static Container flinkMainContainer(JsonNode deployment) {
    JsonNode pod = deployment.path("spec").path("podTemplate").path("spec");
    for (JsonNode container : pod.path("containers")) {
      if (text(container, "name").equals("flink-main-container")) {
        return new Container(pod, container);
      }
    }
    throw new AssertionError(name(deployment) + " has no flink-main-container in its pod template");
  }

  private static JsonNode selectedPodTemplate(JsonNode selector) {
    Map<String, String> wanted = stringMap(selector);
    List<JsonNode> selected = kind("Deployment").stream()
        .map(deployment -> deployment.path("spec").path("template"))
        .filter(template -> stringMap(template.path("metadata").path("labels")).entrySet().containsAll(wanted.entrySet()))
        .toList();
    assertThat(selected).as("Deployments selected by %s", wanted).hasSize(1);
    return selected.get(0);
  }

  private static Map<String, String> configMapData(String name) {
    return stringMap(named("ConfigMap", name).path("data"));
  }

  private static Map<String, String> secretData(String name) {
    JsonNode secret = named("Secret", name);
    Map<String, String> data = new HashMap<>(stringMap(secret.path("stringData")));
    stringMap(secret.path("data")).forEach((key, base64) ->
        data.put(key, new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8)));
    return data;
  }

  // ---- configuration and CLI helpers

  private static ParseResult parseWithCli(List<String> args) {
    ParseResult parsed = new CommandLine(new OpenWit()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.hasSubcommand()).as("%s names a subcommand", args).isTrue();
    return parsed;
  }

  /** The value of an option of the innermost subcommand, or null. */
  private static <T> T optionValue(ParseResult parsed, String option) {
    ParseResult innermost = parsed;
    while (innermost.hasSubcommand()) {
      innermost = innermost.subcommand();
    }
    return innermost.matchedOptionValue(option, null);
  }

  /** Variables openwit.yaml references without a default: every reader must set them. */
  private static Set<String> requiredVariables() {
    Matcher matcher = CONFIG_REFERENCE.matcher(configText);
    Set<String> required = new TreeSet<>();
    while (matcher.find()) {
      if (matcher.group(2) == null) {
        required.add(matcher.group(1));
      }
    }
    return required;
  }

  private static void assertLoads(Map<String, String> environment, String where) {
    for (String variable : requiredVariables()) {
      assertThat(environment.get(variable)).as("%s sets %s", where, variable).isNotBlank();
    }
    assertThatCode(() -> ConfigLoader.load(CONFIG_FILE, environment)).as("openwit.yaml in %s", where)
        .doesNotThrowAnyException();
    if (loadConfig(environment).auth().enabled()) {
      // else the process would generate a key of its own under data_dir, which no other one accepts
      assertThat(environment.get(SERVICE_KEY)).as("%s sets %s", where, SERVICE_KEY).isNotBlank();
    }
  }

  private static OpenWitConfig loadConfig(Map<String, String> environment) {
    return ConfigLoader.load(CONFIG_FILE, environment);
  }

  /**
   * The ports each part serves its clients, from the configuration (the Flink dashboard keeps
   * Flink's default). With authentication Trino's clients log in over HTTPS; its plain port is then
   * for Trino's own nodes.
   */
  private static Map<String, Set<Integer>> expectedPorts(OpenWitConfig config) {
    Map<String, Set<Integer>> ports = new LinkedHashMap<>();
    ports.put("receiver", new TreeSet<>(Set.of(
        config.receiver().grpcPort(), config.receiver().httpPort(), config.receiver().jsonHttpPort())));
    ports.put("catalog", Set.of(config.catalog().port()));
    ports.put("query-service", Set.of(config.query().port()));
    ports.put("trino", Set.of(config.auth().enabled() ? config.trino().httpsPort() : config.trino().port()));
    ports.put("jobmanager", Set.of(FLINK_DASHBOARD_PORT));
    return ports;
  }

  // ---- JSON helpers

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String text(JsonNode node, String field) {
    return node.path(field).asText("");
  }

  private static List<String> strings(JsonNode node) {
    if (node.isTextual()) {
      return List.of(node.asText());
    }
    List<String> values = new ArrayList<>();
    node.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static Set<Integer> ints(JsonNode list, String field) {
    Set<Integer> values = new TreeSet<>();
    list.forEach(item -> values.add(item.path(field).asInt()));
    return values;
  }

  /** A Flink config.yaml as Flink reads it: nested keys joined with dots. */
  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    if (node.isObject()) {
      node.properties().forEach(field -> flatten(prefix + field.getKey() + ".", field.getValue(), into));
    } else {
      into.put(prefix.substring(0, prefix.length() - 1), node.asText());
    }
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    node.properties().forEach(field -> map.put(field.getKey(), field.getValue().asText()));
    return map;
  }
}
