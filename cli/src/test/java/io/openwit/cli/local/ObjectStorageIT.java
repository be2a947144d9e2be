package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.openwit.common.config.OpenWitConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The warehouse and the index segments on an S3-compatible store (S3Proxy), the whole path: an
 * {@code openwit local} process (catalog, Flink jobs, query API, Trino) whose only S3 credentials
 * are its environment's, spans and logs in through the receiver, SQL in Trino, full-text search,
 * table maintenance, and every data, metadata and index file in the bucket rather than on disk.
 */
class ObjectStorageIT {
  private static final String BUCKET = "openwit";
  private static final Duration STARTUP = Duration.ofMinutes(5);

  @Test
  void singleNodeKeepsTablesAndIndexesOnObjectStorage() throws Exception {
    Path directory = Files.createDirectories(SharedEngines.get().root.resolve("object-storage-" + System.nanoTime()));
    try (S3ProxyServer s3 = S3ProxyServer.start(directory, BUCKET)) {
      Map<String, String> settings = new HashMap<>(SharedEngines.ownPorts());
      settings.put("catalog.warehouse", "s3://" + BUCKET + "/warehouse");
      settings.put("storage.s3.endpoint", s3.endpoint);
      settings.put("storage.s3.region", "us-east-1");
      settings.put("storage.s3.path_style_access", "true");
      settings.put("pipeline.checkpoint_interval_ms", "2000");
      settings.put("index.poll_interval_ms", "1000");
      OpenWitConfig config = SharedEngines.config(directory.resolve("data"), settings);
      try (LocalProcess openWit = LocalProcess.start(config, directory)) {
        SdkSpans sdk = new SdkSpans("http://127.0.0.1:" + config.receiver().httpPort() + "/v1/traces");
        sdk.asService("s3-service", tracer -> SdkSpans.simpleSpans(tracer, 1_000));
        long logs = LogCorpus.send(() -> OtlpHttpLogRecordExporter.builder()
            .setEndpoint("http://127.0.0.1:" + config.receiver().httpPort() + "/v1/logs").build(), 7, 0, 2_000, Instant.now());
        assertThat(sdk.rejected.get()).isZero();

        Await.until(() -> openWit.count("spans") == sdk.acknowledged.get() && openWit.count("logs") == logs,
            Duration.ofMinutes(2), "every span and log line in Trino");
        long refused = openWit.count("logs WHERE body LIKE '%connection refused%'");
        assertThat(refused).isPositive();
        String search = "http://127.0.0.1:" + config.query().port() + "/api/v1/search?limit=10000&query="
            + URLEncoder.encode("body:\"connection refused\"", StandardCharsets.UTF_8);
        Await.until(() -> HttpApi.getJson(search).path("total_hits").asLong() == refused, Duration.ofMinutes(2),
            "the index builder to index the logs");
        JsonNode hits = HttpApi.getJson(search);
        assertThat(HttpApi.elements(hits.path("hits"))).hasSize((int) refused)
            .allSatisfy(hit -> assertThat(hit.path("body").asText()).contains("connection refused"));

        HttpApi.Run maintenance = HttpApi.cli("maintenance", "run", "--catalog", config.catalogUri());
        assertThat(maintenance.exitCode()).as(maintenance.err()).isZero();
        assertThat(openWit.count("spans")).isEqualTo(sdk.acknowledged.get());
        assertThat(openWit.count("logs")).isEqualTo(logs);
      }

      for (String table : List.of("spans", "logs")) {
        List<String> objects = s3.objects(BUCKET, "warehouse/default/" + table);
        assertThat(objects).as(table).anyMatch(name -> name.contains("/data/") && name.endsWith(".parquet"));
        assertThat(objects).as(table).anyMatch(name -> name.contains("/metadata/") && name.endsWith(".metadata.json"));
      }
      assertThat(s3.objects(BUCKET, "warehouse/default/logs/index")).as("index segments").isNotEmpty();
      assertThat(directory.resolve("data").resolve("warehouse")).doesNotExist();
    }
  }

  /** {@code openwit local} as a user starts it, with S3 credentials in its environment only. */
  private static final class LocalProcess implements AutoCloseable {
    private final Process process;
    private final OpenWitConfig config;

    private LocalProcess(Process process, OpenWitConfig config) {
      this.process = process;
      this.config = config;
    }

    static LocalProcess start(OpenWitConfig config, Path directory) throws Exception {
      List<String> command = HttpApi.cliCommand("local", "--config", config.dataPath().resolve("openwit.yaml").toString());
      Path log = directory.resolve("openwit-local.log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
      builder.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
      LocalProcess local = new LocalProcess(builder.start(), config);
      try {
        Await.until(() -> {
          if (!local.process.isAlive()) {
            throw new AssertionError("openwit local exited with " + local.process.exitValue() + "; see " + log);
          }
          return Files.readString(log).contains("OpenWit is ready");
        }, STARTUP, "openwit local to be ready (" + log + ")");
      } catch (Exception | AssertionError e) {
        local.close();
        throw e;
      }
      return local;
    }

    long count(String tableAndCondition) throws Exception {
      Properties properties = new Properties();
      properties.setProperty("user", "openwit");
      try (Connection connection = DriverManager.getConnection(
              "jdbc:trino://127.0.0.1:" + config.trino().port() + "/openwit/default", properties);
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + tableAndCondition)) {
        rows.next();
        return rows.getLong(1);
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
