package io.openwit.catalog;

import com.linecorp.armeria.server.Server;
import io.openwit.common.metastore.Metastore;
import io.openwit.catalog.rest.RestCatalogService;
import io.openwit.common.schema.TenantTables;
import io.openwit.common.config.OpenWitConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog service: migrates the metastore, provisions every tenant's tables and serves the
 * Iceberg REST catalog that Flink, Trino and any other Iceberg client use.
 */
public final class CatalogServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogServer.class);

  private final JdbcCatalog catalog;
  private final Server server;

  private CatalogServer(JdbcCatalog catalog, Server server) {
    this.catalog = catalog;
    this.server = server;
  }

  public static CatalogServer start(OpenWitConfig config) {
    Metastore metastore =
        new Metastore(config.metastoreJdbcUrl(), config.metastore().user(), config.metastore().password());
    metastore.migrate();

    JdbcCatalog catalog = openIcebergCatalog(config, metastore);
    for (String tenant : metastore.tenants()) {
      TenantTables.ensure(catalog, tenant);
    }

    Server server =
        Server.builder()
            .http(config.catalog().port())
            .serviceUnder("/v1/", new RestCatalogService(catalog, catalog, catalog))
            .maxRequestLength(64L * 1024 * 1024)
            .build();
    server.start().join();
    LOG.info(
        "Iceberg REST catalog on {} (metastore {}, warehouse {})",
        config.catalogUri(), redact(metastore.jdbcUrl()), config.warehouseLocation());
    return new CatalogServer(catalog, server);
  }

  private static JdbcCatalog openIcebergCatalog(OpenWitConfig config, Metastore metastore) {
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, metastore.jdbcUrl());
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouseLocation());
    properties.put("jdbc.schema-version", "V1");
    properties.put("jdbc.strict-mode", "true");
    if (!config.metastore().user().isEmpty()) {
      properties.put("jdbc.user", config.metastore().user());
    }
    if (!config.metastore().password().isEmpty()) {
      properties.put("jdbc.password", config.metastore().password());
    }
    if (metastore.isSqlite()) {
      // SQLite allows one writer: a single pooled connection, WAL and a busy timeout avoid SQLITE_BUSY.
      properties.put(CatalogProperties.CLIENT_POOL_SIZE, "1");
      properties.put("jdbc.journal_mode", "WAL");
      properties.put("jdbc.busy_timeout", "30000");
    } else {
      properties.put(CatalogProperties.CLIENT_POOL_SIZE, "4");
    }
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("openwit", properties);
    return catalog;
  }

  private static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("password=[^&;]*", "password=***");
  }

  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop().join();
    catalog.close();
  }
}
