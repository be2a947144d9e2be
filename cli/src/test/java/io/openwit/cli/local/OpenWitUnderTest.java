package io.openwit.cli.local;

import io.openwit.catalog.CatalogServer;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.query.api.QueryApiServer;
import io.openwit.receiver.OtlpReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobID;

/**
 * One OpenWit on the shared engines: its own catalog (on the chosen metastore), receiver, query
 * API, Kafka topics and ingest job, wired exactly as {@link LocalStack} wires them.
 */
final class OpenWitUnderTest implements AutoCloseable {
  static final long CHECKPOINT_INTERVAL_MS = 2_000;

  final SharedEngines engines;
  final Metastores metastore;
  final String metastoreUrl;
  final OpenWitConfig config;
  final CatalogServer catalog;
  final OtlpReceiver receiver;
  final QueryApiServer queryApi;
  JobID ingestJob;
  JobID indexJob;

  private OpenWitUnderTest(
      SharedEngines engines, Metastores metastore, String metastoreUrl, OpenWitConfig config,
      CatalogServer catalog, OtlpReceiver receiver, QueryApiServer queryApi) {
    this.engines = engines;
    this.metastore = metastore;
    this.metastoreUrl = metastoreUrl;
    this.config = config;
    this.catalog = catalog;
    this.receiver = receiver;
    this.queryApi = queryApi;
  }

  static OpenWitUnderTest start(Metastores metastore, Map<String, String> extraSettings) {
    OpenWitUnderTest openWit = startParts(metastore, extraSettings);
    // the job starts while Trino gets ready, so it reads from the end of the topics (starting_offsets
    // latest) before a test sends anything
    openWit.startIngestJob();
    openWit.awaitQueryable();
    return openWit;
  }

  /** The OpenWit processes' parts without any Flink job, for tests that run the jobs elsewhere. */
  static OpenWitUnderTest startWithoutJobs(Metastores metastore, Map<String, String> extraSettings) {
    OpenWitUnderTest openWit = startParts(metastore, extraSettings);
    openWit.awaitQueryable();
    return openWit;
  }

  private static OpenWitUnderTest startParts(Metastores metastore, Map<String, String> extraSettings) {
    SharedEngines engines = SharedEngines.get();
    String name = metastore + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path dataDir = engines.root.resolve(name);
    String metastoreUrl = metastore.createEmpty(dataDir);
    Map<String, String> settings = new HashMap<>(Map.ofEntries(
        Map.entry("metastore.jdbc_url", metastoreUrl),
        Map.entry("catalog.port", Integer.toString(engines.catalogPort)),
        Map.entry("receiver.http_port", Integer.toString(SharedEngines.freePort())),
        Map.entry("receiver.json_http_port", Integer.toString(SharedEngines.freePort())),
        Map.entry("receiver.grpc_port", Integer.toString(SharedEngines.freePort())),
        Map.entry("query.port", Integer.toString(SharedEngines.freePort())),
        Map.entry("ingestion.kafka.bootstrap_servers", engines.kafka.bootstrapServers()),
        Map.entry("ingestion.kafka.topics.traces", "traces-" + name),
        Map.entry("ingestion.kafka.topics.logs", "logs-" + name),
        Map.entry("ingestion.kafka.topics.metrics", "metrics-" + name),
        Map.entry("pipeline.consumer_group", "ingest-" + name),
        Map.entry("pipeline.checkpoint_interval_ms", Long.toString(CHECKPOINT_INTERVAL_MS))));
    if (!metastore.user().isEmpty()) {
      settings.put("metastore.user", metastore.user());
    }
    settings.putAll(extraSettings);
    OpenWitConfig config = SharedEngines.config(dataDir, settings);
    CatalogServer catalog = CatalogServer.start(config);
    OtlpReceiver receiver = OtlpReceiver.start(config, dataDir.resolve("openwit.yaml"));
    QueryApiServer queryApi = QueryApiServer.start(config);
    return new OpenWitUnderTest(engines, metastore, metastoreUrl, config, catalog, receiver, queryApi);
  }

  /** Trino schedules a new catalog's first scans a few seconds after it first answers. */
  private void awaitQueryable() {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (true) {
      try {
        spanCount();
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Trino cannot read the spans table", e);
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  void startIngestJob() {
    ingestJob = engines.flink.submitIngestJob(config);
  }

  void cancelIngestJob() {
    engines.flink.cancel(ingestJob);
  }

  /** The index job is only started by the tests that search, to keep the others' load as it was. */
  void startIndexJob() {
    indexJob = engines.flink.submitIndexJob(config);
  }

  void cancelIndexJob() {
    engines.flink.cancel(indexJob);
  }

  String tracesEndpoint() {
    return httpEndpoint("traces");
  }

  String httpEndpoint(String signalPath) {
    return scheme() + "://localhost:" + receiver.httpPort() + "/v1/" + signalPath;
  }

  String grpcEndpoint() {
    return scheme() + "://localhost:" + receiver.grpcPort();
  }

  private String scheme() {
    return config.receiver().tls().enabled() ? "https" : "http";
  }

  long spanCount() throws SQLException {
    return queryLong("SELECT count(*) FROM openwit.\"default\".spans");
  }

  long queryLong(String sql) throws SQLException {
    try (Connection connection = engines.trino.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** Waits until Trino sees {@code expected} spans of the default tenant; see {@link #awaitCount}. */
  long awaitSpanCount(long expected, Duration timeout) throws SQLException, InterruptedException {
    return awaitCount("SELECT count(*) FROM openwit.\"default\".spans", expected, timeout);
  }

  /**
   * Waits until {@code countQuery} reaches {@code expected} (a table that does not exist yet counts
   * as empty: the pipeline creates a new tenant's tables with its first rows), then for one more
   * commit, and returns the count then: a late duplicate would land within a checkpoint or two.
   */
  long awaitCount(String countQuery, long expected, Duration timeout) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (queryLong(countQuery) >= expected) {
          break;
        }
      } catch (SQLException tableNotThereYet) {
        Thread.sleep(500);
        continue;
      }
      Thread.sleep(500);
    }
    Thread.sleep(3 * CHECKPOINT_INTERVAL_MS);
    return queryLong(countQuery);
  }

  @Override
  public void close() throws Exception {
    if (ingestJob != null && !engines.flink.status(ingestJob).isGloballyTerminalState()) {
      engines.flink.cancel(ingestJob);
    }
    if (indexJob != null && !engines.flink.status(indexJob).isGloballyTerminalState()) {
      engines.flink.cancel(indexJob);
    }
    queryApi.close();
    receiver.close();
    catalog.close();
    metastore.drop(metastoreUrl);
  }
}
