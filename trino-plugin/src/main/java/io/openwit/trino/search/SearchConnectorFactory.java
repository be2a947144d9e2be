package io.openwit.trino.search;

import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorContext;
import io.trino.spi.connector.ConnectorFactory;
import java.util.Map;

/** Creates a catalog of the {@code openwit_search} connector from its properties ({@link SearchConfig}). */
final class SearchConnectorFactory implements ConnectorFactory {
  static final String NAME = "openwit_search";

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public Connector create(String catalogName, Map<String, String> properties, ConnectorContext context) {
    return new SearchConnector(new SearchApiClient(SearchConfig.of(properties)), context.getTypeManager());
  }
}
