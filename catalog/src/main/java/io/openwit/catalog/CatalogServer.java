package io.openwit.catalog;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.openwit.catalog.batch.BatchMetrics;
import io.openwit.catalog.batch.BatchMonitorService;
import io.openwit.catalog.batch.BatchReplayer;
import io.openwit.catalog.batch.StoredBatchMarker;
import io.openwit.catalog.batch.WalLag;
import io.openwit.catalog.cluster.ClusterService;
import io.openwit.catalog.maintenance.Janitor;
import io.openwit.catalog.rest.RestCatalogService;
import io.openwit.common.auth.Authenticator;
import io.openwit.common.auth.PrincipalDecorator;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ListenAddress;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.metastore.BatchStore;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.NodeHeartbeat;
import io.openwit.common.observe.ObservabilityRoutes;
import io.openwit.common.schema.TenantTables;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog service: migrates the metastore, provisions every tenant's tables and serves the
 * Iceberg REST catalog that Flink, Trino and any other Iceberg client use, plus OpenWit's control
 * plane: the batch monitor, the node registry, and the janitor that maintains tables.
 */
public final class CatalogServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogServer.class);

  private final JdbcCatalog catalog;
  private final Server server;
  private final List<AutoCloseable> parts;

  private CatalogServer(JdbcCatalog catalog, Server server, List<AutoCloseable> parts) {
    this.catalog = catalog;
    this.server = server;
    this.parts = parts;
  }

  public static CatalogServer start(OpenWitConfig config) {
    Metastore metastore = Metastore.of(config);
    metastore.migrate();
    // the first process of a node: the others (and Trino) read the key it leaves in the data directory
    ServiceCredential.ensure(config);

    JdbcCatalog catalog = openIcebergCatalog(config, metastore);
    for (String tenant : metastore.tenants()) {
      TenantTables.ensure(catalog, tenant);
    }

    BatchStore batches = metastore.batches();
    StoredBatchMarker storedBatches = new StoredBatchMarker(batches);
    Janitor janitor = new Janitor(catalog, catalog, batches, metastore.controlPlane(), config,
        "catalog@" + NodeHeartbeat.hostName() + "/" + UUID.randomUUID());
    BatchMetrics batchMetrics = new BatchMetrics(batches);
    WalLag walLag = WalLag.start(config);
    Map<String, BooleanSupplier> readiness = Map.of("metastore", metastore::isReachable);

    Authenticator authenticator = Authenticator.of(config, metastore);
    ServerBuilder builder = Server.builder()
        .http(ListenAddress.of(config, config.catalog().port()))
        .serviceUnder("/v1/", new RestCatalogService(catalog, catalog, catalog, storedBatches,
            config.storage().icebergProperties(), new WarehouseLocations(config.warehouseLocation())))
        .decoratorUnder("/v1/", PrincipalDecorator.anyKey(authenticator, RestCatalogService::refusal))
        // the batch monitor, replay, maintenance and node APIs
        .decoratorUnder("/api/", PrincipalDecorator.operators(authenticator, ApiResponses::error))
        .maxRequestLength(64L * 1024 * 1024);
    new BatchMonitorService(batches, new BatchReplayer(config, batches), config.batchTracking().stuckAfterMs())
        .addTo(builder);
    walLag.addTo(builder);
    new ClusterService(metastore.controlPlane(), janitor, config.cluster().downAfterMs()).addTo(builder);
    ObservabilityRoutes.addTo(builder, readiness, authenticator);
    Server server = builder.build();
    server.start().join();
    janitor.start();
    NodeHeartbeat heartbeat = NodeHeartbeat.start(config, "catalog", server.activeLocalPort(),
        () -> ObservabilityRoutes.isReady(readiness));
    LOG.info(
        "Iceberg REST catalog, batch monitor and cluster API on {} (metastore {}, warehouse {})",
        config.catalogUri(), OpenWitConfig.Metastore.redact(metastore.jdbcUrl()), config.warehouseLocation());
    // closed after the server, in this order: heartbeats and housekeeping before the commit observer
    return new CatalogServer(catalog, server, List.of(heartbeat, janitor, batchMetrics, walLag, storedBatches, authenticator));
  }

  private static JdbcCatalog openIcebergCatalog(OpenWitConfig config, Metastore metastore) {
    Map<String, String> properties = new HashMap<>();
    properties.put(CatalogProperties.URI, metastore.jdbcUrl());
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouseLocation());
    properties.put("jdbc.schema-version", "V1");
    properties.put("jdbc.strict-mode", "true");
    properties.putAll(config.storage().icebergProperties());
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

  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() throws Exception {
    server.stop().join();
    for (AutoCloseable part : parts) {
      part.close();
    }
    catalog.close();
  }
}
