package io.openwit.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.schema.TableSchemas;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The REST catalog as any Iceberg client sees it (Iceberg's own RESTCatalog), on both metastore
 * backends: the default tenant's tables as DESIGN.md defines them, and the spec's table, namespace
 * and view operations with their error types.
 */
class CatalogServerIT {
  private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

  @TempDir Path dataDir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql"})
  void servesTheIcebergRestProtocol(String backend) throws Exception {
    String database = "openwit_catalog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String jdbcUrl = backend.equals("sqlite") ? "" : POSTGRES + database;
    if (!jdbcUrl.isEmpty()) {
      postgres("CREATE DATABASE " + database);
    }
    OpenWitConfig config = new OpenWitConfig(dataDir.toString(), null, null,
        new OpenWitConfig.Metastore(jdbcUrl, jdbcUrl.isEmpty() ? "" : "postgres", ""),
        new OpenWitConfig.Catalog(0, null, null), null, null, null, null, null, null, null, null, null, null, null, null, null);
    try (CatalogServer server = CatalogServer.start(config);
        RESTCatalog client = new RESTCatalog()) {
      client.setConf(new Configuration());
      client.initialize("it", Map.of("uri", "http://127.0.0.1:" + server.port()));

      Table spans = client.loadTable(TableIdentifier.of("default", "spans"));
      // a new table's field ids are assigned afresh, in order, as Iceberg always does
      AtomicInteger lastId = new AtomicInteger();
      assertThat(spans.schema().asStruct())
          .isEqualTo(TypeUtil.assignFreshIds(TableSchemas.SPANS_SCHEMA, lastId::incrementAndGet).asStruct());
      assertThat(spans.spec().fields()).singleElement()
          .satisfies(field -> assertThat(field.transform().toString()).isEqualTo("day"));
      assertThat(spans.properties())
          .containsEntry("write.parquet.compression-codec", "zstd")
          .containsEntry("write.parquet.bloom-filter-enabled.column.trace_id", "true");
      assertThat(spans.location()).isEqualTo("file://" + dataDir.resolve("warehouse/default/spans"));
      // clients learn the warehouse's FileIO from the catalog: S3FileIO for s3://, Hadoop's for files
      assertThat(client.properties()).containsEntry("io-impl", "org.apache.iceberg.io.ResolvingFileIO");
      assertThat(spans.io().getClass().getSimpleName()).isEqualTo("ResolvingFileIO");

      Namespace acme = Namespace.of("acme");
      client.createNamespace(acme, new java.util.HashMap<>(Map.of("owner", "team-a")));
      assertThat(client.listNamespaces()).contains(Namespace.of("default"), acme);
      assertThat(client.loadNamespaceMetadata(acme)).containsEntry("owner", "team-a");
      assertThatThrownBy(() -> client.createNamespace(acme)).isInstanceOf(AlreadyExistsException.class);

      Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
      TableIdentifier events = TableIdentifier.of(acme, "events");
      Table table = client.createTable(events, schema, PartitionSpec.unpartitioned());
      DataFile file = DataFiles.builder(table.spec())
          .withPath(table.location() + "/data/00000.parquet")
          .withFormat(FileFormat.PARQUET)
          .withFileSizeInBytes(1024)
          .withRecordCount(10)
          .build();
      table.newAppend().appendFile(file).commit();
      assertThat(client.loadTable(events).currentSnapshot().summary()).containsEntry("added-records", "10");

      TableIdentifier renamed = TableIdentifier.of(acme, "events_v2");
      client.renameTable(events, renamed);
      assertThat(client.listTables(acme)).containsExactly(renamed);
      assertThatThrownBy(() -> client.loadTable(events)).isInstanceOf(NoSuchTableException.class);

      client.buildView(TableIdentifier.of(acme, "recent"))
          .withSchema(schema)
          .withDefaultNamespace(acme)
          .withQuery("trino", "SELECT id FROM events_v2")
          .create();
      assertThat(client.listViews(acme)).containsExactly(TableIdentifier.of(acme, "recent"));
      assertThat(client.dropView(TableIdentifier.of(acme, "recent"))).isTrue();

      assertThat(client.dropTable(renamed, false)).isTrue();
      assertThat(client.tableExists(renamed)).isFalse();
      assertThat(client.dropNamespace(acme)).isTrue();
      assertThatThrownBy(() -> client.listTables(acme)).isInstanceOf(NoSuchNamespaceException.class);
    } finally {
      if (!jdbcUrl.isEmpty()) {
        postgres("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  @Test
  void restartKeepsTablesAndDoesNotRecreateThem() throws Exception {
    OpenWitConfig config = new OpenWitConfig(dataDir.toString(), null, null, null,
        new OpenWitConfig.Catalog(0, null, null), null, null, null, null, null, null, null, null, null, null, null, null, null);
    String firstMetadata;
    try (CatalogServer server = CatalogServer.start(config); RESTCatalog client = client(server)) {
      firstMetadata = metadataLocation(client);
    }
    try (CatalogServer server = CatalogServer.start(config); RESTCatalog client = client(server)) {
      assertThat(metadataLocation(client)).isEqualTo(firstMetadata);
    }
  }

  private static RESTCatalog client(CatalogServer server) {
    RESTCatalog client = new RESTCatalog();
    client.setConf(new Configuration());
    client.initialize("it", Map.of("uri", "http://127.0.0.1:" + server.port()));
    return client;
  }

  private static String metadataLocation(RESTCatalog client) {
    Table table = client.loadTable(TableIdentifier.of("default", "spans"));
    return ((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation();
  }

  private static void postgres(String sql) throws Exception {
    try (Connection connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
