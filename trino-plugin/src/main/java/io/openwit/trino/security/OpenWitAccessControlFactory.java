package io.openwit.trino.security;

import io.trino.spi.security.SystemAccessControl;
import io.trino.spi.security.SystemAccessControlFactory;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code access-control.name=openwit} in Trino's {@code access-control.properties}, with the
 * catalogs tenants read: {@code openwit.iceberg-catalog} (default {@code openwit}) and
 * {@code openwit.search-catalog} (default {@code search}).
 */
public final class OpenWitAccessControlFactory implements SystemAccessControlFactory {
  static final String NAME = "openwit";
  static final String ICEBERG_CATALOG = "openwit.iceberg-catalog";
  static final String SEARCH_CATALOG = "openwit.search-catalog";

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public SystemAccessControl create(Map<String, String> config, SystemAccessControlContext context) {
    Set<String> unknown = new HashSet<>(config.keySet());
    unknown.removeAll(Set.of(ICEBERG_CATALOG, SEARCH_CATALOG));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown properties " + unknown + " of access control " + NAME + "; known are "
          + ICEBERG_CATALOG + " and " + SEARCH_CATALOG);
    }
    return new OpenWitAccessControl(new TenantScope(config.getOrDefault(ICEBERG_CATALOG, "openwit").strip(),
        config.getOrDefault(SEARCH_CATALOG, "search").strip()));
  }
}
