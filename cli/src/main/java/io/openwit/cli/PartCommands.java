package io.openwit.cli;

import io.openwit.catalog.CatalogServer;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.query.api.QueryApiServer;
import io.openwit.query.trino.TrinoConfiguration;
import io.openwit.receiver.OtlpReceiver;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Cluster mode: each OpenWit part as its own process (the Flink jobs go to a Flink cluster with
 * {@code openwit submit}). None keeps state of its own, so each can run as several instances.
 */
final class PartCommands {
  private PartCommands() {}

  /** A command that runs one part, configured from openwit.yaml, until the process is told to stop. */
  abstract static class PartCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
    Path config;

    @Spec
    CommandSpec spec;

    abstract AutoCloseable start(OpenWitConfig configuration);

    @Override
    public Integer call() throws InterruptedException {
      AutoCloseable part = start(OpenWit.loadConfig(config, null));
      System.out.println("openwit: " + spec.name() + " running; stop with SIGTERM or Ctrl-C");
      return OpenWit.runUntilStopped(part);
    }
  }

  @Command(name = "catalog", mixinStandardHelpOptions = true,
      description = "Run the Iceberg REST catalog, metastore API, batch monitor and table maintenance (port catalog.port).")
  static final class Catalog extends PartCommand {
    @Override
    AutoCloseable start(OpenWitConfig configuration) {
      return CatalogServer.start(configuration);
    }
  }

  @Command(name = "receiver", mixinStandardHelpOptions = true,
      description = "Run the OTLP receiver (receiver.grpc_port, receiver.http_port, receiver.json_http_port).")
  static final class Receiver extends PartCommand {
    @Override
    AutoCloseable start(OpenWitConfig configuration) {
      // limits reload when the file changes
      return OtlpReceiver.start(configuration, OpenWit.configFile(config));
    }
  }

  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Run the query API: search, trace by id, histogram (port query.port).")
  static final class Query extends PartCommand {
    @Override
    AutoCloseable start(OpenWitConfig configuration) {
      return QueryApiServer.start(configuration);
    }
  }

  @Command(name = "trino-config", mixinStandardHelpOptions = true,
      description = "Write a Trino node's etc/ directory: role, the openwit (Iceberg) and search catalogs, JVM options.")
  static final class TrinoConfig implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
    Path config;

    @Option(names = "--role", required = true, description = "coordinator or worker")
    Role role;

    @Option(names = "--output", required = true, description = "the etc/ directory to write (e.g. /etc/trino)")
    Path output;

    @Option(names = "--coordinator-uri", description = "the coordinator as the nodes reach it (default http://<this host>:trino.port)")
    URI coordinatorUri;

    @Option(names = "--plugin-dir", description = "Trino's plugin folder when not the installation's own")
    Path pluginDir;

    enum Role { coordinator, worker }

    @Override
    public Integer call() throws Exception {
      OpenWitConfig configuration = OpenWit.loadConfig(config, null);
      int port = configuration.trino().port();
      String discovery = coordinatorUri != null
          ? coordinatorUri.toString()
          : "http://" + InetAddress.getLocalHost().getHostName() + ":" + port;
      TrinoConfiguration.Role nodeRole =
          role == Role.coordinator ? TrinoConfiguration.Role.COORDINATOR : TrinoConfiguration.Role.WORKER;
      new TrinoConfiguration(nodeRole, port, discovery, "", Optional.ofNullable(pluginDir), "").write(output, configuration);
      System.out.printf("openwit: Trino %s configuration written to %s (coordinator %s)%n", role, output, discovery);
      return 0;
    }
  }
}
