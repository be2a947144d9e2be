package io.openwit.trino.security;

import java.util.Set;

/**
 * What a tenant may see: its own schema of the Iceberg catalog (named like the tenant), the search
 * catalog, whose table functions search the session user's own tenant, and the parts of the
 * {@code system} catalog the JDBC driver's DatabaseMetaData reads. {@code system.runtime} stays
 * hidden: it lists every user's queries, with their SQL.
 */
record TenantScope(String icebergCatalog, String searchCatalog) {
  static final String SYSTEM_CATALOG = "system";
  private static final String INFORMATION_SCHEMA = "information_schema";
  private static final Set<String> SYSTEM_SCHEMAS = Set.of("jdbc", "metadata", INFORMATION_SCHEMA);

  boolean catalogVisible(String catalog) {
    return catalog.equals(icebergCatalog) || catalog.equals(searchCatalog) || catalog.equals(SYSTEM_CATALOG);
  }

  /** Whether {@code tenant} may list and read the tables of {@code catalog.schema}. */
  boolean schemaVisible(String tenant, String catalog, String schema) {
    if (catalog.equals(icebergCatalog)) {
      // information_schema lists only what the filters leave: the tenant's own schema and tables
      return schema.equals(tenant) || schema.equals(INFORMATION_SCHEMA);
    }
    if (catalog.equals(searchCatalog)) {
      return true;
    }
    return catalog.equals(SYSTEM_CATALOG) && SYSTEM_SCHEMAS.contains(schema);
  }

  /**
   * Whether a tenant may call the catalog's functions: the search catalog's only. Trino lets anyone
   * call its built-in functions without asking; the Iceberg catalog's table functions (such as
   * {@code table_changes}) name any schema, so they stay closed.
   */
  boolean functionsCallable(String catalog) {
    return catalog.equals(searchCatalog);
  }

  /** Whether a tenant may list the catalog's functions ({@code SHOW FUNCTIONS}). */
  boolean functionsListed(String catalog) {
    return functionsCallable(catalog) || catalog.equals(SYSTEM_CATALOG);
  }

  String describe(String tenant) {
    return "a tenant reads only schema " + icebergCatalog + "." + tenant + " and the " + searchCatalog
        + " catalog's functions";
  }
}
