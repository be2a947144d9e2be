package io.openwit.catalog.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.catalog.CatalogServer;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.Metastore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
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
 * The catalog's doors with {@code auth.enabled}, through Iceberg's own RESTCatalog client and plain
 * HTTP: a tenant's token reads only its namespace and changes nothing, locations stay inside the
 * warehouse whoever asks, and the operator APIs want an admin key.
 */
class CatalogAuthIT {
  private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static Path dataDir;
  private static OpenWitConfig config;
  private static CatalogServer server;
  private static String acmeKey;
  private static String adminKey;
  private static String uri;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("openwit-catalog-auth-");
    config = new OpenWitConfig(dataDir.toString(), null, new OpenWitConfig.Auth(true, null, null, 200L), null,
        new OpenWitConfig.Catalog(0, null, null), null, null, null, null, null, null, null, null, null, null, null, null,
        null);
    Metastore metastore = Metastore.of(config);
    metastore.migrate();
    acmeKey = metastore.createTenant("acme").key();
    metastore.createTenant("globex");
    adminKey = metastore.createAdminKey().key();
    server = CatalogServer.start(config);
    uri = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void everyRouteWantsAKnownKey() throws Exception {
    assertThat(get("/v1/config", null).statusCode()).isEqualTo(401);
    assertThat(get("/v1/namespaces", "owk_0000_0000").statusCode()).isEqualTo(401);
    assertThat(get("/v1/config", null).body()).contains("NotAuthorizedException").contains("missing API key");
    assertThatThrownBy(() -> client(null)).isInstanceOf(NotAuthorizedException.class);
    assertThat(get("/health/live", null).statusCode()).as("health stays open").isEqualTo(200);
  }

  @Test
  void aTenantKeyListsAndLoadsOnlyItsOwnNamespace() throws Exception {
    try (RESTCatalog acme = client(acmeKey); RESTCatalog service = client(ServiceCredential.resolve(config))) {
      assertThat(service.listNamespaces()).contains(Namespace.of("acme"), Namespace.of("globex"));
      assertThat(acme.listNamespaces()).containsExactly(Namespace.of("acme"));
      assertThat(acme.listTables(Namespace.of("acme"))).contains(TableIdentifier.of("acme", "spans"));
      assertThat(acme.loadTable(TableIdentifier.of("acme", "spans")).schema().findField("trace_id")).isNotNull();
      assertThatThrownBy(() -> acme.loadTable(TableIdentifier.of("globex", "spans")))
          .isInstanceOf(ForbiddenException.class).hasMessageContaining("globex");
      assertThatThrownBy(() -> acme.listTables(Namespace.of("globex"))).isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> acme.loadNamespaceMetadata(Namespace.of("default")))
          .isInstanceOf(ForbiddenException.class);
    }
  }

  @Test
  void aTenantKeyChangesNothing() throws Exception {
    try (RESTCatalog acme = client(acmeKey)) {
      TableIdentifier spans = TableIdentifier.of("acme", "spans");
      assertThatThrownBy(() -> acme.dropTable(spans, true))
          .isInstanceOf(ForbiddenException.class).hasMessageContaining("admin key");
      assertThatThrownBy(() -> acme.createTable(TableIdentifier.of("acme", "mine"), SCHEMA))
          .isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> acme.createNamespace(Namespace.of("acme2"))).isInstanceOf(ForbiddenException.class);
      assertThatThrownBy(() -> acme.renameTable(spans, TableIdentifier.of("acme", "moved")))
          .isInstanceOf(ForbiddenException.class);
      Table table = acme.loadTable(spans);
      assertThatThrownBy(() -> table.updateProperties().set("owner", "acme").commit())
          .isInstanceOf(ForbiddenException.class);
      assertThat(acme.tableExists(spans)).isTrue();
    }
  }

  @Test
  void locationsOutsideTheWarehouseAreRefusedWhoeverAsks() throws Exception {
    String elsewhere = Files.createTempDirectory("openwit-not-the-warehouse-").toUri().toString();
    try (RESTCatalog admin = client(adminKey)) {
      Namespace scratch = Namespace.of("scratch");
      admin.createNamespace(scratch);
      assertThatThrownBy(() -> admin.buildTable(TableIdentifier.of(scratch, "escape"), SCHEMA)
          .withLocation(elsewhere).create())
          .isInstanceOf(BadRequestException.class).hasMessageContaining("not inside the warehouse");
      assertThatThrownBy(() -> admin.buildTable(TableIdentifier.of(scratch, "dotdot"), SCHEMA)
          .withLocation(config.warehouseLocation() + "/scratch/../../../elsewhere").create())
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> admin.buildTable(TableIdentifier.of(scratch, "data_path"), SCHEMA)
          .withProperty("write.data.path", elsewhere).create())
          .isInstanceOf(BadRequestException.class).hasMessageContaining("write.data.path");
      assertThatThrownBy(() -> admin.createNamespace(Namespace.of("away"), new HashMap<>(Map.of("location", elsewhere))))
          .isInstanceOf(BadRequestException.class);
      assertThatThrownBy(() -> admin.buildTable(TableIdentifier.of(scratch, "whole_namespace"), SCHEMA)
          .withLocation(config.warehouseLocation() + "/acme").create())
          .as("a table at a namespace's directory would own every table in it").isInstanceOf(BadRequestException.class);

      Table inside = admin.createTable(TableIdentifier.of(scratch, "inside"), SCHEMA, PartitionSpec.unpartitioned());
      assertThatThrownBy(() -> inside.updateLocation().setLocation(elsewhere).commit())
          .isInstanceOf(BadRequestException.class);
      assertThat(admin.dropTable(TableIdentifier.of(scratch, "inside"), true)).isTrue();
    }
  }

  @Test
  void operatorApisWantAnAdminOrServiceKey() throws Exception {
    String status = "/api/batch-monitor/status";
    assertThat(get(status, null).statusCode()).isEqualTo(401);
    assertThat(get(status, acmeKey).statusCode()).isEqualTo(403);
    assertThat(get(status, acmeKey).body()).contains("admin key");
    assertThat(get(status, adminKey).statusCode()).isEqualTo(200);
    assertThat(get(status, ServiceCredential.resolve(config)).statusCode()).isEqualTo(200);
    for (String route : List.of("/api/cluster/nodes", "/api/maintenance/last")) {
      assertThat(get(route, acmeKey).statusCode()).as(route).isEqualTo(403);
    }
    HttpResponse<String> maintenance = HTTP.send(HttpRequest.newBuilder(URI.create(uri + "/api/maintenance/run"))
        .header("Authorization", "Bearer " + acmeKey).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(maintenance.statusCode()).isEqualTo(403);
  }

  private static RESTCatalog client(String token) {
    RESTCatalog client = new RESTCatalog();
    client.setConf(new Configuration());
    Map<String, String> properties = new HashMap<>(Map.of("uri", uri));
    if (token != null) {
      properties.put("token", token);
    }
    client.initialize("it", properties);
    return client;
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri + path));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
