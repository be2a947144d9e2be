package io.openwit.cli;

import io.openwit.cli.local.LocalStack;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ConfigException;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.query.trino.JavaRuntimes;
import io.openwit.query.trino.LauncherWatch;
import io.openwit.query.trino.TrinoConfiguration;
import io.openwit.query.trino.TrinoInstallation;
import io.openwit.query.trino.TrinoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code openwit} command. */
@Command(
    name = "openwit",
    mixinStandardHelpOptions = true,
    version = "openwit 0.1.0",
    description = "Self-hosted observability database: OTLP in, Iceberg tables out, SQL through Trino.",
    subcommands = {OpenWit.Local.class, OpenWit.Sql.class, Tenants.class, AdminKeys.class, ControlPlaneCommands.Batches.class,
        ControlPlaneCommands.Nodes.class, ControlPlaneCommands.Maintenance.class, PartCommands.Catalog.class,
        PartCommands.Receiver.class, PartCommands.Query.class, PartCommands.TrinoConfig.class, Submit.class})
public final class OpenWit {

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new OpenWit());
    commandLine.setExecutionExceptionHandler(
        (exception, line, parseResult) -> {
          if (exception instanceof ConfigException || exception instanceof IllegalStateException
              || exception instanceof IllegalArgumentException) {
            line.getErr().println("openwit: " + exception.getMessage());
            return 1;
          }
          throw exception;
        });
    System.exit(commandLine.execute(args));
  }

  /** The --config file, else ./openwit.yaml when present, else none (all defaults). */
  static Path configFile(Path option) {
    if (option == null && Files.isRegularFile(Path.of("openwit.yaml"))) {
      return Path.of("openwit.yaml");
    }
    return option;
  }

  /** Keeps {@code part} running until the process is told to stop (SIGTERM, Ctrl-C), then closes it. */
  static int runUntilStopped(AutoCloseable part) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("openwit: stopping");
      try {
        part.close();
      } catch (Exception e) {
        System.err.println("openwit: error while stopping: " + e);
      }
      stopped.countDown();
    }, "openwit-shutdown"));
    stopped.await();
    return 0;
  }

  static OpenWitConfig loadConfig(Path file, Path dataDir) {
    OpenWitConfig config = ConfigLoader.load(configFile(file), System.getenv());
    return dataDir == null ? config : config.withDataDir(dataDir.toString());
  }

  @Command(name = "local", mixinStandardHelpOptions = true,
      description = "Run the whole system on this machine until Ctrl-C; data stays in the data directory.")
  static final class Local implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
    Path config;

    @Option(names = {"-d", "--data-dir"}, description = "overrides data_dir (default ./data)")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
      long started = System.nanoTime();
      OpenWitConfig configuration = loadConfig(config, dataDir);
      LocalStack stack = LocalStack.start(configuration, configFile(config));
      OpenWitConfig effective = stack.config();
      System.out.printf(
          """

          OpenWit is ready (%.1f s). Data directory: %s
            OTLP/gRPC        127.0.0.1:%d
            OTLP/HTTP        http://127.0.0.1:%d/v1/traces|logs|metrics (also on %d)
            Iceberg catalog  %s
            Trace by id      http://127.0.0.1:%d/api/v1/traces/{trace_id}
            Search           http://127.0.0.1:%d/api/v1/search?query=...  (and /api/v1/search/histogram)
            Flink dashboard  http://127.0.0.1:%d  (job metrics: http://127.0.0.1:9249/metrics)
            Trino            %s  (./openwit sql, or JDBC %s)
            Kafka            %s
            Batches, nodes   %s/api/batch-monitor/status, /api/cluster/nodes  (openwit batches|nodes|maintenance)
            Metrics, health  /metrics, /health/live, /health/ready on the receiver and catalog ports
          %s
          Press Ctrl-C to stop.
          %n""",
          (System.nanoTime() - started) / 1e9, effective.dataPath(), effective.receiver().grpcPort(),
          effective.receiver().httpPort(), effective.receiver().jsonHttpPort(),
          effective.catalogUri(), effective.query().port(), effective.query().port(), effective.flink().dashboardPort(),
          effective.auth().enabled() ? "https://127.0.0.1:" + effective.trino().httpsPort()
              : "http://127.0.0.1:" + effective.trino().port(),
          stack.trino().jdbcUrl() + "/openwit/default" + (effective.auth().enabled() ? "?SSL=true" : ""),
          effective.ingestion().kafka().bootstrapServers(),
          effective.catalogUri(),
          effective.auth().enabled()
              ? "API keys are required on every port (openwit tenants create NAME makes a tenant and its key;"
                  + " openwit admin-keys create makes an admin key)."
              : "Authentication is off (auth.enabled: false): all data goes to tenant 'default'; every port"
                  + " listens on " + effective.listenAddress() + ".");
      return runUntilStopped(stack);
    }
  }

  @Command(name = "sql", mixinStandardHelpOptions = true,
      description = "Open the Trino CLI on the local Trino, catalog openwit, schema default; with auth.enabled over"
          + " HTTPS, as the service (or as --user NAME --password, the key asked for or in TRINO_PASSWORD).")
  static final class Sql implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
    Path config;

    /** Everything else goes to the Trino CLI, e.g. --execute 'SELECT count(*) FROM spans'. */
    @CommandLine.Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      OpenWitConfig configuration = loadConfig(config, null);
      JavaRuntimes.Runtime java = JavaRuntimes.find(configuration.trino().javaHome(), System.getenv("JAVA_HOME"),
          Path.of("/usr/lib/jvm"), TrinoServer.MINIMUM_JAVA);
      TrinoInstallation installation = TrinoInstallation.resolve(configuration.trino());
      // the CLI shares this terminal: it must not go on reading it once this process is gone
      List<String> command = new ArrayList<>(List.of(java.javaExecutable().toString(), "--enable-native-access=ALL-UNNAMED",
          LauncherWatch.jvmOption(configuration.dataPath().resolve("trino"))));
      if (System.console() == null) {
        // piped or scripted: ask JLine for the dumb terminal it would fall back to, without its warning
        command.add("-Dorg.jline.terminal.dumb=true");
      }
      command.addAll(List.of("-jar", installation.cliJar().toString(), "--catalog", TrinoServer.CATALOG,
          "--schema", "default"));
      ProcessBuilder process = new ProcessBuilder(command);
      if (configuration.auth().enabled()) {
        // HTTPS with a password; the certificate is the one this machine's Trino was given
        Path certificate = TrinoConfiguration.certificate(configuration.dataPath().resolve("trino").resolve("etc"))
            .certificate();
        command.addAll(List.of("--server", "https://127.0.0.1:" + configuration.trino().httpsPort()));
        command.addAll(Files.isReadable(certificate)
            ? List.of("--truststore-path", certificate.toString()) : List.of("--insecure"));
        if (!arguments.contains("--user") && arguments.stream().noneMatch(argument -> argument.startsWith("--user="))) {
          // no user named: the operator on this machine, with the service key
          command.addAll(List.of("--user", TrinoServer.SERVICE_USER, "--password"));
          process.environment().put("TRINO_PASSWORD", ServiceCredential.resolve(configuration));
        }
      } else {
        command.addAll(List.of("--server", "http://127.0.0.1:" + configuration.trino().port(),
            "--user", TrinoServer.SERVICE_USER));
      }
      command.addAll(arguments);
      return process.inheritIO().start().waitFor();
    }
  }
}
