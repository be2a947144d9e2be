package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.Metastore;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Single-node mode with {@code auth.enabled}, two tenants (acme and globex) and an admin key, each
 * door tried with the client people use on it: the OpenTelemetry SDK's exporters, Iceberg's
 * RESTCatalog, the query API over HTTP, the CLI, and Trino's JDBC driver over HTTPS. Every check
 * here fails if its door lets the wrong caller in.
 */
class SecurityIT {
  private static final int ACME_SPANS = 120;
  private static final int GLOBEX_SPANS = 80;

  private static Path dataDir;
  private static OpenWitConfig config;
  private static LocalStack stack;
  private static String acmeKey;
  private static String globexKey;
  private static String adminKey;

  @BeforeAll
  static void startWithTwoTenants() throws Exception {
    dataDir = Files.createTempDirectory("openwit-security-");
    Map<String, String> settings = new HashMap<>(SharedEngines.ownPorts());
    settings.put("trino.https_port", Integer.toString(SharedEngines.freePort()));
    settings.put("auth.enabled", "true");
    settings.put("auth.key_refresh_ms", "300");
    settings.put("pipeline.checkpoint_interval_ms", "2000");
    config = SharedEngines.config(dataDir, settings);
    Metastore metastore = Metastore.of(config);
    metastore.migrate();
    acmeKey = metastore.createTenant("acme").key();
    globexKey = metastore.createTenant("globex").key();
    adminKey = metastore.createAdminKey().key();
    stack = LocalStack.start(config);

    SdkSpans.Sent acme = SdkSpans.sendWith(OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + config.receiver().httpPort() + "/v1/traces")
        .addHeader("Authorization", "Bearer " + acmeKey).build(), "acme-shop", ACME_SPANS);
    SdkSpans.Sent globex = SdkSpans.sendWith(OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + config.receiver().grpcPort())
        .addHeader("Authorization", "Bearer " + globexKey).build(), "globex-api", GLOBEX_SPANS);
    assertThat(acme.acknowledged()).isEqualTo(ACME_SPANS);
    assertThat(globex.acknowledged()).isEqualTo(GLOBEX_SPANS);
    Await.until(() -> count("acme") == ACME_SPANS && count("globex") == GLOBEX_SPANS, Duration.ofMinutes(2),
        "both tenants' spans in Trino");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void otlpWritesIntoTheKeysTenantAndOnlyWithATenantKey() throws Exception {
    assertThat(count("acme")).isEqualTo(ACME_SPANS);
    assertThat(count("globex")).isEqualTo(GLOBEX_SPANS);
    assertThat(queryLong("SELECT count(*) FROM openwit.acme.spans WHERE service_name <> 'acme-shop'")).isZero();
    String traces = "http://127.0.0.1:" + config.receiver().httpPort() + "/v1/traces";
    assertThat(HttpApi.call(traces, null, "{}").status()).isEqualTo(401);
    HttpApi.Answer admin = HttpApi.call(traces, adminKey, "{}");
    assertThat(admin.status()).isEqualTo(401);
    assertThat(admin.body()).contains("tenant's API key");
    assertThat(HttpApi.call(traces, acmeKey, "{}").status()).isEqualTo(200);
  }

  @Test
  void searchAndTracesReadOnlyTheKeysTenant() throws Exception {
    String search = queryApi() + "/api/v1/search?signal=traces&limit=500&query=";
    Await.until(() -> HttpApi.call(search + "*", acmeKey, null).json().path("total_hits").asLong() == ACME_SPANS,
        Duration.ofMinutes(2), "acme's spans indexed");
    assertThat(HttpApi.call(search + "*", null, null).status()).isEqualTo(401);
    JsonNode acmeAll = HttpApi.call(search + "*", acmeKey, null).json();
    assertThat(HttpApi.elements(acmeAll.path("hits"))).extracting(hit -> hit.path("service_name").asText())
        .containsOnly("acme-shop");
    assertThat(HttpApi.call(search + encode("service_name:globex-api"), acmeKey, null).json().path("total_hits").asLong())
        .isZero();

    HttpApi.Answer otherTenant = HttpApi.call(search + "*&tenant=globex", acmeKey, null);
    assertThat(otherTenant.status()).isEqualTo(403);
    assertThat(otherTenant.body()).contains("globex");
    Await.until(() -> HttpApi.call(search + "*&tenant=globex", adminKey, null).json().path("total_hits").asLong()
        == GLOBEX_SPANS, Duration.ofMinutes(2), "globex's spans indexed, read with the admin key");

    String globexTrace = queryString("SELECT trace_id FROM openwit.globex.spans LIMIT 1");
    assertThat(HttpApi.call(queryApi() + "/api/v1/traces/" + globexTrace, acmeKey, null).status()).isEqualTo(404);
    assertThat(HttpApi.call(queryApi() + "/api/v1/traces/" + globexTrace, globexKey, null).status()).isEqualTo(200);
    assertThat(HttpApi.call(queryApi() + "/api/v1/auth/whoami", acmeKey, null).json().path("tenant").asText())
        .isEqualTo("acme");
  }

  @Test
  void icebergClientsWithATenantTokenSeeOnlyThatTenantAndChangeNothing() throws Exception {
    try (RESTCatalog acme = icebergClient(acmeKey); RESTCatalog admin = icebergClient(adminKey)) {
      assertThat(acme.listNamespaces()).containsExactly(Namespace.of("acme"));
      assertThat(acme.loadTable(TableIdentifier.of("acme", "spans")).currentSnapshot()).isNotNull();
      assertThatThrownBy(() -> acme.loadTable(TableIdentifier.of("globex", "spans")))
          .isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> acme.dropTable(TableIdentifier.of("acme", "spans"), true))
          .isInstanceOf(ForbiddenException.class);
      assertThat(admin.listNamespaces()).contains(Namespace.of("acme"), Namespace.of("globex"));
      String outside = Files.createTempDirectory("openwit-outside-").toUri().toString();
      assertThatThrownBy(() -> admin.buildTable(TableIdentifier.of("acme", "escape"),
          new org.apache.iceberg.Schema(Types.NestedField.required(1, "id", Types.LongType.get())))
          .withLocation(outside).create())
          .isInstanceOf(BadRequestException.class).hasMessageContaining("not inside the warehouse");
    }
    assertThatThrownBy(() -> icebergClient(null)).isInstanceOf(NotAuthorizedException.class);
  }

  @Test
  void maintenanceAndBatchesWantAnAdminKey() {
    String catalog = config.catalogUri();
    HttpApi.Run asTenant = HttpApi.cli("maintenance", "run", "--catalog", catalog, "--api-key", acmeKey);
    assertThat(asTenant.exitCode()).isNotZero();
    assertThat(asTenant.err()).contains("admin key");
    HttpApi.Run batches = HttpApi.cli("batches", "status", "--catalog", catalog, "--api-key", acmeKey);
    assertThat(batches.exitCode()).isNotZero();
    HttpApi.Run asAdmin = HttpApi.cli("maintenance", "run", "--catalog", catalog, "--api-key", adminKey);
    assertThat(asAdmin.exitCode()).as(asAdmin.err()).isZero();
    assertThat(asAdmin.out()).contains("\"ran\" : true").contains("acme.spans").contains("globex.spans");
  }

  @Test
  void trinoLetsATenantReadOnlyItsOwnSchema() throws Exception {
    try (Connection acme = stack.trino().connect("acme", acmeKey); Statement statement = acme.createStatement()) {
      assertThat(strings(statement, "SHOW SCHEMAS FROM openwit")).contains("acme").doesNotContain("globex", "default");
      assertThat(longOf(statement, "SELECT count(*) FROM openwit.acme.spans")).isEqualTo(ACME_SPANS);
      for (String refused : List.of(
          "SELECT count(*) FROM openwit.globex.spans",
          "DROP TABLE openwit.acme.spans",
          "DELETE FROM openwit.acme.spans",
          "ALTER TABLE openwit.acme.spans RENAME TO gone",
          "CREATE CATALOG elsewhere USING openwit_search WITH (\"openwit.query-api-uri\" = 'http://example.com')",
          "SELECT * FROM system.runtime.queries")) {
        assertThat(catchThrowable(() -> statement.execute(refused))).as(refused).hasMessageContaining("Access Denied");
      }
      Await.until(() -> longOf(statement, "SELECT count(*) FROM TABLE(search.system.spans(query => '*'))") == ACME_SPANS,
          Duration.ofMinutes(2), "acme's search function finds acme's spans, and only those");
    }
    assertThatThrownBy(() -> login("acme", globexKey))
        .isInstanceOf(SQLException.class).hasMessageContaining("Authentication failed");
    assertThatThrownBy(() -> login("admin", acmeKey))
        .isInstanceOf(SQLException.class).hasMessageContaining("Authentication failed");
    try (Connection admin = stack.trino().connect("admin", adminKey); Statement statement = admin.createStatement()) {
      assertThat(strings(statement, "SHOW SCHEMAS FROM openwit")).contains("acme", "globex");
      assertThat(longOf(statement, "SELECT count(*) FROM openwit.globex.spans")).isEqualTo(GLOBEX_SPANS);
    }
  }

  @Test
  void everyListenerIsOnLoopback() throws Exception {
    List<Integer> ports = List.of(config.receiver().httpPort(), config.receiver().jsonHttpPort(),
        config.receiver().grpcPort(), config.catalog().port(), config.query().port(), config.flink().dashboardPort(),
        config.trino().port(), config.trino().httpsPort(), config.embeddedKafka().port(),
        config.embeddedKafka().controllerPort());
    Map<Integer, List<String>> listening = listeningAddresses();
    for (int port : ports) {
      assertThat(listening.get(port)).as("listeners on port " + port).isNotEmpty()
          .allSatisfy(address -> assertThat(address).as("port " + port).isIn("127.0.0.1", "::1"));
    }
    // the Flink jobs' Prometheus reporters take the first free port of 9249-9259
    List<Integer> reporters = listening.keySet().stream().filter(port -> port >= 9249 && port <= 9259).toList();
    assertThat(reporters).as("Flink's Prometheus reporters").isNotEmpty();
    reporters.forEach(port -> assertThat(listening.get(port)).as("port " + port)
        .allSatisfy(address -> assertThat(address).isIn("127.0.0.1", "::1")));
  }

  @Test
  void theServiceKeyStaysInItsFile() throws Exception {
    String serviceKey = ServiceCredential.resolve(config);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.serviceKeyPath())))
        .isEqualTo("rw-------");
    JsonNode jobs = HttpApi.getJson("http://127.0.0.1:" + config.flink().dashboardPort() + "/jobs/overview");
    for (JsonNode job : jobs.path("jobs")) {
      String jobConfig = HttpApi.get("http://127.0.0.1:" + config.flink().dashboardPort() + "/jobs/"
          + job.path("jid").asText() + "/config").body();
      assertThat(jobConfig).as("the dashboard's job configuration").doesNotContain(serviceKey);
    }
    try (var files = Files.walk(config.dataPath().resolve("trino").resolve("etc"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(serviceKey);
      }
    }
  }

  /** The driver connects lazily: a login is checked by the first statement. */
  private static void login(String user, String password) throws SQLException {
    try (Connection connection = stack.trino().connect(user, password); Statement statement = connection.createStatement()) {
      longOf(statement, "SELECT 1");
    }
  }

  private static List<String> strings(Statement statement, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  private static long longOf(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static RESTCatalog icebergClient(String token) {
    RESTCatalog client = new RESTCatalog();
    client.setConf(new Configuration());
    Map<String, String> properties = new HashMap<>(Map.of("uri", config.catalogUri()));
    if (token != null) {
      properties.put("token", token);
    }
    client.initialize("security-it", properties);
    return client;
  }

  /** Each listening TCP port of this machine and the addresses it listens on, from /proc/net/tcp{,6}. */
  private static Map<Integer, List<String>> listeningAddresses() throws Exception {
    Map<Integer, List<String>> listening = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        if (!fields[3].equals("0A")) {
          continue;
        }
        String[] local = fields[1].split(":");
        listening.computeIfAbsent(Integer.parseInt(local[1], 16), ignored -> new ArrayList<>()).add(address(local[0]));
      }
    }
    return listening;
  }

  /** /proc writes addresses as 32-bit words in host (little-endian) order. */
  private static String address(String hex) throws Exception {
    byte[] bytes = HexFormat.of().parseHex(hex);
    for (int word = 0; word < bytes.length; word += 4) {
      for (int i = 0; i < 2; i++) {
        byte swap = bytes[word + i];
        bytes[word + i] = bytes[word + 3 - i];
        bytes[word + 3 - i] = swap;
      }
    }
    InetAddress address = InetAddress.getByAddress(bytes);
    return address.isLoopbackAddress() && address instanceof Inet6Address ? "::1"
        : address.getHostAddress().replaceFirst("^::ffff:", "");
  }

  private static String queryApi() {
    return "http://127.0.0.1:" + config.query().port();
  }

  private static String encode(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  private static long count(String tenant) throws SQLException {
    return queryLong("SELECT count(*) FROM openwit." + tenant + ".spans");
  }

  private static long queryLong(String sql) throws SQLException {
    return Long.parseLong(queryString(sql));
  }

  private static String queryString(String sql) throws SQLException {
    try (Connection connection = stack.trino().connect(); ResultSet rows = connection.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
