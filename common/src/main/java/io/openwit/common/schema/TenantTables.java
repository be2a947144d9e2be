package io.openwit.common.schema;

import io.openwit.common.wire.Signal;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * Gives every tenant its namespace and signal tables, with partitioning, compression, sort order
 * and bloom filters set as table properties at creation. Safe to run from several processes at
 * once: whoever loses a creation race finds the goal met.
 */
public final class TenantTables {
  private TenantTables() {}

  /** Creates whichever of the tenant's signal tables are missing (at catalog start). */
  public static void ensure(Catalog catalog, String tenant) {
    for (Signal signal : Signal.values()) {
      TableIdentifier identifier = TableIdentifier.of(tenant, TableSchemas.forSignal(signal).name());
      if (!catalog.tableExists(identifier)) {
        create(catalog, identifier);
      }
    }
  }

  /**
   * Creates the signal table {@code identifier} names, and its namespace when missing, as the
   * pipeline does for a tenant it sees first; returns it, also when another writer just created it.
   */
  public static Table create(Catalog catalog, TableIdentifier identifier) {
    TableDefinition table = TableSchemas.signalOfTable(identifier.name())
        .map(TableSchemas::forSignal)
        .orElseThrow(() -> new IllegalArgumentException("no OpenWit table is named '" + identifier.name() + "'"));
    if (catalog instanceof SupportsNamespaces namespaces) {
      createNamespaceIfMissing(namespaces, identifier.namespace());
    }
    try {
      return catalog
          .buildTable(identifier, table.schema())
          .withPartitionSpec(table.spec())
          .withSortOrder(table.sortOrder())
          .withProperties(table.properties())
          .create();
    } catch (AlreadyExistsException e) {
      return catalog.loadTable(identifier);
    }
  }

  private static void createNamespaceIfMissing(SupportsNamespaces namespaces, Namespace namespace) {
    if (namespaces.namespaceExists(namespace)) {
      return;
    }
    try {
      namespaces.createNamespace(namespace);
    } catch (AlreadyExistsException e) {
      // created concurrently: the goal is met
    }
  }
}
