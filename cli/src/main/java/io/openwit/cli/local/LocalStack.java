package io.openwit.cli.local;

import io.openwit.catalog.CatalogServer;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.observe.NodeHeartbeat;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.query.api.QueryApiServer;
import io.openwit.query.trino.TrinoServer;
import io.openwit.receiver.OtlpReceiver;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node mode: every OpenWit part in this JVM (Kafka, catalog, receiver, query API, Flink
 * MiniCluster with the ingest job) plus Trino as a child process, all data under one directory.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private OpenWitConfig config;
  private TrinoServer trino;

  private LocalStack() {}

  public static LocalStack start(OpenWitConfig configuration) {
    return start(configuration, null);
  }

  /** Starts everything; per-tenant limits reload when {@code configFile} (may be null) changes. */
  public static LocalStack start(OpenWitConfig configuration, Path configFile) {
    LocalStack stack = new LocalStack();
    try {
      stack.startAll(configuration, configFile);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startAll(OpenWitConfig configuration, Path configFile) {
    OpenWitConfig.EmbeddedKafka kafkaSettings = configuration.embeddedKafka();
    EmbeddedKafka kafka =
        push(EmbeddedKafka.start(
            configuration.dataPath().resolve("kafka"), kafkaSettings.port(), kafkaSettings.controllerPort()));
    config = configuration.withKafkaBootstrapServers(kafka.bootstrapServers());
    LOG.info("Kafka broker at {}", kafka.bootstrapServers());
    push(CatalogServer.start(config));
    push(OtlpReceiver.start(config, configFile));
    push(QueryApiServer.start(config));
    // the dashboard can cancel jobs and takes no key: with auth it stays on this machine
    String flinkAddress = config.auth().enabled() ? "127.0.0.1" : config.listenAddress();
    LocalFlink flink = push(LocalFlink.start(config.dataPath().resolve("flink"), flinkAddress,
        config.flink().dashboardPort()));
    flink.submitIngestJob(config);
    if (config.index().enabled()) {
      flink.submitIndexJob(config);
    }
    trino = push(TrinoServer.start(config, "SELECT count(*) FROM " + TrinoServer.CATALOG + ".\""
        + RecordHeaders.DEFAULT_TENANT + "\"." + TableSchemas.SPANS.name()));
    push(NodeHeartbeat.start(config, "query", config.trino().port(), trino::isRunning));
  }

  private <T extends AutoCloseable> T push(T part) {
    started.push(part);
    return part;
  }

  public OpenWitConfig config() {
    return config;
  }

  public TrinoServer trino() {
    return trino;
  }

  /** Stops the parts in the reverse order of their start, each even if another fails. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      AutoCloseable part = started.pop();
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("error while stopping {}", part.getClass().getSimpleName(), e);
      }
    }
  }
}
