package io.openwit.pipeline;

import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.rest.RESTCatalog;

/**
 * The REST catalog, reached with the service key. The key is read where the sink runs, when it
 * opens the catalog: it never travels in the job graph, so the JobManager and its dashboard never
 * hold it.
 */
final class ServiceCatalogLoader implements CatalogLoader {
  private final OpenWitConfig config;

  ServiceCatalogLoader(OpenWitConfig config) {
    this.config = config;
  }

  @Override
  public Catalog loadCatalog() {
    RESTCatalog catalog = new RESTCatalog();
    catalog.setConf(new org.apache.hadoop.conf.Configuration());
    catalog.initialize("openwit", ServiceCredential.catalogClientProperties(config));
    return catalog;
  }

  @Override
  public CatalogLoader clone() {
    return new ServiceCatalogLoader(config);
  }

  @Override
  public String toString() {
    return "REST catalog at " + config.catalogUri();
  }
}
