package io.openwit.query.trino;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrinoConfigurationTest {

  @Test
  void coordinatorPlansAndWorkersJoinIt(@TempDir Path directory) throws IOException {
    OpenWitConfig config = OpenWitConfig.defaults();
    new TrinoConfiguration(TrinoConfiguration.Role.COORDINATOR, 8080, "http://trino:8080", "", Optional.empty(), "")
        .write(directory.resolve("coordinator"), config);
    new TrinoConfiguration(TrinoConfiguration.Role.WORKER, 8080, "http://trino:8080", "", Optional.empty(), "")
        .write(directory.resolve("worker"), config);

    Properties coordinator = properties(directory.resolve("coordinator/config.properties"));
    assertThat(coordinator.getProperty("coordinator")).isEqualTo("true");
    assertThat(coordinator.getProperty("node-scheduler.include-coordinator")).isEqualTo("false");
    assertThat(coordinator.getProperty("discovery.uri")).isEqualTo("http://trino:8080");
    Properties worker = properties(directory.resolve("worker/config.properties"));
    assertThat(worker.getProperty("coordinator")).isEqualTo("false");
    assertThat(worker.getProperty("node-scheduler.include-coordinator")).isNull();
    assertThat(worker.getProperty("discovery.uri")).isEqualTo("http://trino:8080");
    // no node.id: each worker replica gets its own
    assertThat(properties(directory.resolve("worker/node.properties")).getProperty("node.id")).isNull();
    assertThat(Files.readAllLines(directory.resolve("worker/jvm.config")))
        .contains("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1G");
    // Trino refuses catalog.store on a worker: workers load catalogs from the coordinator
    assertThat(worker.getProperty("catalog.store")).isNull();
    assertThat(directory.resolve("worker/catalog")).doesNotExist();
    assertThat(coordinator.getProperty("catalog.store")).isEqualTo("file");
    Properties iceberg = properties(directory.resolve("coordinator/catalog/openwit.properties"));
    assertThat(iceberg.getProperty("iceberg.rest-catalog.uri")).isEqualTo("http://127.0.0.1:8181");
    assertThat(iceberg.getProperty("fs.native-s3.enabled")).isNull();
    assertThat(properties(directory.resolve("coordinator/catalog/search.properties")).getProperty("openwit.query-api-uri"))
        .isEqualTo("http://127.0.0.1:8083");
  }

  @Test
  void warehouseOnS3GivesTrinoItsOwnS3Client(@TempDir Path directory) throws IOException {
    OpenWitConfig config = new OpenWitConfig(null, null, null, null, new OpenWitConfig.Catalog(null, "catalog", "s3://lake/warehouse"),
        null, null, null, null, null, null, new OpenWitConfig.Query(null, "query-service"), null, null, null, null, null,
        new OpenWitConfig.Storage(new OpenWitConfig.S3("http://minio:9000", "eu-west-1", true)));
    new TrinoConfiguration(TrinoConfiguration.Role.SINGLE_NODE, 8080, "http://127.0.0.1:8080", "n1",
        Optional.of(Path.of("/opt/trino/plugin")), "127.0.0.1").write(directory, config);

    Properties iceberg = properties(directory.resolve("catalog/openwit.properties"));
    assertThat(iceberg.getProperty("iceberg.rest-catalog.uri")).isEqualTo("http://catalog:8181");
    assertThat(iceberg.getProperty("fs.native-s3.enabled")).isEqualTo("true");
    assertThat(iceberg.getProperty("s3.endpoint")).isEqualTo("http://minio:9000");
    assertThat(iceberg.getProperty("s3.region")).isEqualTo("eu-west-1");
    assertThat(iceberg.getProperty("s3.path-style-access")).isEqualTo("true");
    assertThat(iceberg.stringPropertyNames()).noneMatch(name -> name.contains("key"));
    assertThat(properties(directory.resolve("catalog/search.properties")).getProperty("openwit.query-api-uri"))
        .isEqualTo("http://query-service:8083");
    Properties server = properties(directory.resolve("config.properties"));
    assertThat(server.getProperty("node-scheduler.include-coordinator")).isEqualTo("true");
    assertThat(server.getProperty("plugin.dir")).isEqualTo("/opt/trino/plugin");
    assertThat(properties(directory.resolve("node.properties")).getProperty("node.id")).isEqualTo("n1");
  }

  private static Properties properties(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    }
    return properties;
  }
}
