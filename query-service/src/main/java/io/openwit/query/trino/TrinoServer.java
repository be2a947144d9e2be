package io.openwit.query.trino;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trino as a child process: writes its {@code etc/} ({@link TrinoConfiguration}), starts it on a
 * Java 24+ runtime with the service key in its environment, and waits until a real query succeeds.
 * Single-node mode runs one node that does everything; tests run a coordinator and a worker the
 * same way. With {@code auth.enabled}, clients (and OpenWit itself, as user {@code openwit} with the
 * service key) log in over HTTPS.
 *
 * <p>Trino never outlives this process: it runs with the {@link LauncherWatch} agent, which stops it
 * when its launcher dies without closing it. Its pid is kept in {@code <root>/trino.pid}, so a start
 * stops what an earlier run of the same directory left behind, and readiness asks the node answering
 * the port for its node id and uptime, so another Trino holding the port never passes for this one.
 */
public final class TrinoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoServer.class);
  public static final int MINIMUM_JAVA = 24;
  public static final String CATALOG = "openwit";
  public static final String SEARCH_CATALOG = "search";
  /** The user OpenWit itself runs queries as; with auth, its password is the service key. */
  public static final String SERVICE_USER = ApiKeys.SERVICE_USER;
  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(3);
  /** Returns a row once the coordinator counts itself as an active node. */
  private static final String NODE_ACTIVE = "SELECT 1 FROM system.runtime.nodes WHERE state = 'active'";
  /** Under a node's root directory: the pid of the Trino started there, while it runs. */
  public static final String PID_FILE = "trino.pid";
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
  /** How much earlier than its process a node's reported start may seem (its uptime has two decimals). */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(2);
  /** Airlift's Duration as Trino's {@code /v1/status} writes it, e.g. {@code 9.52s} or {@code 1.20m}. */
  private static final Pattern UPTIME = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m|h|d)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Instant spawned;
  private final Path pidFile;
  private final String nodeId;
  /** Where this node itself listens (a worker's queries go to its coordinator's {@link #host} and {@link #port}). */
  private final String nodeHost;
  private final int nodePort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(STATUS_TIMEOUT).build();
  private final String host;
  private final int port;
  private final Optional<Https> https;
  private final Path logFile;

  /**
   * How clients reach a Trino with auth: its HTTPS port, the service key OpenWit logs in with, and
   * the certificate to check when this process wrote it (a worker does not hold its coordinator's).
   */
  private record Https(int port, String serviceKey, Optional<Path> certificate) {
    @Override
    public String toString() {
      return "Https[port=" + port + ", certificate=" + certificate + "]";
    }
  }

  private TrinoServer(Process process, Instant spawned, Path pidFile, String nodeId, String nodeHost, int nodePort,
      String host, int port, Optional<Https> https, Path logFile) {
    this.process = process;
    this.spawned = spawned;
    this.pidFile = pidFile;
    this.nodeId = nodeId;
    this.nodeHost = nodeHost;
    this.nodePort = nodePort;
    this.host = host;
    this.port = port;
    this.https = https;
    this.logFile = logFile;
  }

  /** Starts Trino; ready once it counts itself as an active node (no table needed). */
  public static TrinoServer start(OpenWitConfig config) {
    return start(config, NODE_ACTIVE);
  }

  /**
   * Starts single-node Trino under {@code <data_dir>/trino}; ready once {@code readinessQuery}
   * succeeds. A query that scans a table of the {@code openwit} catalog is the honest probe: Trino
   * counts itself active a few seconds before it schedules splits for that catalog ("No nodes
   * available to run query").
   */
  public static TrinoServer start(OpenWitConfig config, String readinessQuery) {
    int port = config.trino().port();
    return start(config, config.dataPath().resolve("trino"), TrinoConfiguration.Role.SINGLE_NODE, port,
        "http://" + clientHost(config) + ":" + port, readinessQuery);
  }

  /**
   * Starts one node of a Trino cluster under {@code root}: a coordinator at {@code port} (its
   * discovery address {@code coordinatorUri}) or a worker that joins it. The coordinator is ready
   * once {@code readinessQuery} succeeds on it, a worker once the coordinator counts it active.
   */
  public static TrinoServer start(OpenWitConfig config, Path nodeRoot, TrinoConfiguration.Role role, int port,
      String coordinatorUri, String readinessQuery) {
    Path root = nodeRoot.toAbsolutePath();
    OpenWitConfig.Trino trino = config.trino();
    JavaRuntimes.Runtime java =
        JavaRuntimes.find(trino.javaHome(), System.getenv("JAVA_HOME"), Path.of("/usr/lib/jvm"), MINIMUM_JAVA);
    TrinoInstallation installation = TrinoInstallation.resolve(trino);
    Path etc = root.resolve("etc");
    Path logFile = root.resolve("var/log/server.log");
    Optional<String> serviceKey = TrinoConfiguration.sendsServiceKey(config)
        ? Optional.of(ServiceCredential.resolve(config)) : Optional.empty();
    String nodeId;
    try {
      nodeId = nodeId(root);
      new TrinoConfiguration(role, port, coordinatorUri, nodeId, Optional.of(installation.home().resolve("plugin")),
          clientHost(config)).write(etc, config);
      Files.createDirectories(logFile.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write Trino configuration under " + etc, e);
    }
    Path pidFile = root.resolve(PID_FILE);
    stopLeftover(pidFile, etc);

    List<String> command = new ArrayList<>();
    command.add(java.javaExecutable().toString());
    command.addAll(TrinoConfiguration.jvmOptions(trino.maxHeap()));
    command.add(LauncherWatch.jvmOption(root));
    command.add("-Dconfig=" + etc.resolve("config.properties"));
    command.add("-Dlog.levels-file=" + etc.resolve("log.properties"));
    // as Trino's own launcher does with etc/node.properties
    command.addAll(nodeProperties(etc));
    command.addAll(List.of("-cp", installation.home().resolve("lib") + "/*", "io.trino.server.TrinoServer"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    // the catalog files name it as ${ENV:OPENWIT_SERVICE_KEY}: it stays out of every file Trino reads
    serviceKey.ifPresent(key -> builder.environment().put(ServiceCredential.ENVIRONMENT_VARIABLE, key));
    Instant spawned = Instant.now();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Trino with " + java.javaExecutable(), e);
    }
    try {
      writeAtomically(pidFile, process.pid() + "\n");
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException("cannot write " + pidFile, e);
    }
    // a worker runs no queries of its own: its queries (readiness included) go to the coordinator
    boolean worker = role == TrinoConfiguration.Role.WORKER;
    URI coordinator = URI.create(coordinatorUri);
    Optional<Https> https = config.auth().enabled()
        ? Optional.of(new Https(trino.httpsPort(), serviceKey.orElseThrow(),
            worker ? Optional.empty() : Optional.of(TrinoConfiguration.certificate(etc).certificate())))
        : Optional.empty();
    TrinoServer server = new TrinoServer(process, spawned, pidFile, nodeId, clientHost(config), port,
        worker ? coordinator.getHost() : clientHost(config), worker ? coordinator.getPort() : port, https, logFile);
    LOG.info("Trino {} (pid {}) starting on port {}{} with Java {} ({}); log: {}", role.name().toLowerCase(Locale.ROOT),
        process.pid(), port, https.isPresent() && !worker ? " (HTTPS " + trino.httpsPort() + ")" : "",
        java.featureVersion(), java.home(), logFile);
    server.awaitReady(worker
        ? "SELECT 1 FROM system.runtime.nodes WHERE node_id = '" + nodeId + "' AND state = 'active'"
        : readinessQuery);
    return server;
  }

  /**
   * Stops the Trino whose pid {@code pidFile} holds, when that process still runs with this node's
   * configuration: its launcher died without stopping it. A pid now used by another program is left alone.
   */
  static void stopLeftover(Path pidFile, Path etc) {
    if (!Files.exists(pidFile)) {
      return;
    }
    String recorded;
    try {
      recorded = Files.readString(pidFile).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pidFile, e);
    }
    long pid;
    try {
      pid = Long.parseLong(recorded);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(pidFile + " holds '" + recorded + "', not a pid: remove it once no Trino of "
          + etc.getParent() + " runs", e);
    }
    String ownConfig = "-Dconfig=" + etc.resolve("config.properties");
    Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    boolean ours = leftover.flatMap(process -> process.info().arguments())
        .map(arguments -> Arrays.asList(arguments).contains(ownConfig)).orElse(false);
    if (ours) {
      LOG.warn("Stopping Trino pid {}, left running by an earlier start on {} that ended without stopping it", pid,
          etc.getParent());
      terminate(leftover.get());
    } else {
      LOG.info("{} names pid {}, which is no Trino of {} any more; starting anew", pidFile, pid, etc.getParent());
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + pidFile, e);
    }
  }

  /** SIGTERM (Trino's graceful stop), then SIGKILL if it has not exited within 30 s. */
  private static void terminate(ProcessHandle process) {
    process.destroy();
    try {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        LOG.warn("Trino pid {} did not stop within 30 s of SIGTERM: killing it", process.pid());
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the leftover Trino pid " + process.pid(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot stop the leftover Trino pid " + process.pid(), e);
    }
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.writeString(partial, content);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Where this machine reaches a listener bound to {@code listen_address}: loopback, unless the
   * listeners bind one other address.
   */
  static String clientHost(OpenWitConfig config) {
    InetAddress address;
    try {
      address = InetAddress.getByName(config.listenAddress());
    } catch (UnknownHostException e) {
      throw new UncheckedIOException("listen_address " + config.listenAddress() + " does not resolve", e);
    }
    return address.isAnyLocalAddress() || address.isLoopbackAddress() ? "127.0.0.1" : address.getHostAddress();
  }

  /** A node keeps its id across restarts, in {@code <root>/node.id}. */
  private static String nodeId(Path root) throws IOException {
    Path nodeIdFile = root.resolve("node.id");
    if (!Files.exists(nodeIdFile)) {
      Files.createDirectories(root);
      Files.writeString(nodeIdFile, UUID.randomUUID().toString());
    }
    return Files.readString(nodeIdFile).trim();
  }

  private static List<String> nodeProperties(Path etc) {
    Properties properties = new Properties();
    try (var in = Files.newBufferedReader(etc.resolve("node.properties"))) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.stringPropertyNames().stream().sorted()
        .map(name -> "-D" + name + "=" + properties.getProperty(name)).toList();
  }

  /**
   * Waits until {@code readinessQuery} returns a row; an empty query waits until the server says it
   * has started (a coordinator without workers can run no query at all). Either only once the node
   * answering this node's port is the process just started.
   */
  private void awaitReady(String readinessQuery) {
    try {
      poll(readinessQuery);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void poll(String readinessQuery) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Trino exited with code " + process.exitValue() + " during startup"
            + (portAnswers() ? ": port " + nodePort + " is held by another process (stop it or set trino.port)" : "")
            + "; see " + logFile);
      }
      try {
        if (thisNodeAnswers() && (readinessQuery.isEmpty() ? started() : answers(readinessQuery))) {
          LOG.info("Trino ready at {}", jdbcUrl());
          return;
        }
      } catch (SQLException | IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Trino", e);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Trino", e);
      }
    }
    throw new IllegalStateException(
        "Trino did not become ready within " + STARTUP_TIMEOUT.toSeconds() + " s; see " + logFile, last);
  }

  /**
   * Whether the Trino answering this node's port is the process just started (false while nothing
   * answers yet): the same node id, and up no longer than since that process was spawned. Another
   * Trino there (an orphan of an earlier run, one of another directory) is an error, not readiness.
   */
  private boolean thisNodeAnswers() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(statusUri()).timeout(STATUS_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return false;
    }
    JsonNode status = JSON.readTree(response.body());
    if (!status.path("nodeId").isTextual() || !status.path("uptime").isTextual()) {
      throw new IllegalStateException("port " + nodePort + " is answered by a server that is not Trino (its /v1/status"
          + " names no node id and uptime): stop it or set trino.port");
    }
    String answeringNode = status.path("nodeId").asText();
    Duration uptime = uptime(status.path("uptime").asText());
    Instant answeringStart = Instant.now().minus(uptime);
    if (answeringNode.equals(nodeId) && !answeringStart.isBefore(spawned.minus(START_TOLERANCE))) {
      return true;
    }
    throw new IllegalStateException("port " + nodePort + " is answered by another Trino (node " + answeringNode
        + ", up " + uptime.toSeconds() + " s), not the one just started (pid " + process.pid() + ", node " + nodeId
        + ", started " + Duration.between(spawned, Instant.now()).toSeconds() + " s ago): stop that Trino or set"
        + " trino.port");
  }

  /** This node's own {@code /v1/status}: public, so it answers over plain HTTP with auth too. */
  private URI statusUri() {
    return URI.create("http://" + nodeHost + ":" + nodePort + "/v1/status");
  }

  /** Parses Airlift's Duration text ({@code 9.52s}, {@code 1.20m}), as Trino reports uptime. */
  static Duration uptime(String text) {
    Matcher matcher = UPTIME.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalStateException("Trino reported an uptime of '" + text + "', not a duration");
    }
    double value = Double.parseDouble(matcher.group(1));
    double nanosPerUnit = switch (matcher.group(2)) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "m" -> 60e9;
      case "h" -> 3_600e9;
      default -> 86_400e9;
    };
    return Duration.ofNanos(Math.round(value * nanosPerUnit));
  }

  /** Whether something accepts connections on this node's port. */
  private boolean portAnswers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(nodeHost, nodePort), (int) STATUS_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      LOG.warn("cannot remove {}; the next start checks the pid it names before stopping anything", pidFile, e);
    }
  }

  private boolean answers(String query) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      // a coordinator without workers queues a query forever; the next attempt checks the process
      statement.setQueryTimeout(10);
      try (ResultSet rows = statement.executeQuery(query)) {
        return rows.next();
      }
    }
  }

  /** GET /v1/info says {@code "starting":false} once the server runs. */
  private boolean started() throws IOException, InterruptedException {
    HttpResponse<String> info = http.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/info")).build(),
        HttpResponse.BodyHandlers.ofString());
    return info.statusCode() == 200 && info.body().replace(" ", "").contains("\"starting\":false");
  }

  /** A connection as OpenWit itself: user {@code openwit}, with the service key over HTTPS when auth is on. */
  public Connection connect() throws SQLException {
    if (https.isPresent()) {
      return connect(SERVICE_USER, https.get().serviceKey());
    }
    Properties properties = new Properties();
    properties.setProperty("user", SERVICE_USER);
    return DriverManager.getConnection(jdbcUrl(), properties);
  }

  /**
   * A login over HTTPS (auth on): a tenant's name and API key, {@code admin} and an admin key, or
   * {@code openwit} and the service key. The server's certificate is checked against the one this
   * process wrote (its chain only: a configured certificate need not name 127.0.0.1).
   */
  public Connection connect(String user, String password) throws SQLException {
    Https door = https.orElseThrow(() -> new IllegalStateException(
        "auth.enabled is false: Trino takes no passwords, so connect() without one"));
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("SSL", "true");
    door.certificate().ifPresentOrElse(certificate -> {
      properties.setProperty("SSLVerification", "CA");
      properties.setProperty("SSLTrustStorePath", certificate.toString());
    }, () -> properties.setProperty("SSLVerification", "NONE"));
    return DriverManager.getConnection(jdbcUrl(), properties);
  }

  /** Where clients connect: plain HTTP with auth off; with auth the HTTPS port (then SSL=true, user and password). */
  public String jdbcUrl() {
    return "jdbc:trino://" + host + ":" + https.map(Https::port).orElse(port);
  }

  /** The plain HTTP port (with auth, Trino's internal traffic and public endpoints only). */
  public int port() {
    return port;
  }

  /** Whether the Trino process still runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        // still running: the pid file stays, for the next start to find it
        return;
      }
    }
    deletePidFile();
  }
}
