package io.openwit.common.schema;

import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * Gives every tenant its namespace and signal tables, with partitioning, compression, sort order
 * and bloom filters set as table properties at creation.
 */
public final class TenantTables {
  private static final List<TableDefinition> SIGNAL_TABLES =
      List.of(TableSchemas.SPANS, TableSchemas.LOGS, TableSchemas.METRICS);

  private TenantTables() {}

  /**
   * Creates the signal table {@code identifier} names (and its namespace when missing), as the
   * pipeline does for a tenant it sees first; returns it, also when another writer just created it.
   */
  public static Table create(Catalog catalog, TableIdentifier identifier) {
    TableDefinition table = SIGNAL_TABLES.stream()
        .filter(definition -> definition.name().equals(identifier.name()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no OpenWit table is named '" + identifier.name() + "'"));
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
      try {
        namespaces.createNamespace(identifier.namespace());
      } catch (AlreadyExistsException e) {
        // created concurrently: the goal is met
      }
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

  public static <C extends Catalog & SupportsNamespaces> void ensure(C catalog, String tenant) {
    Namespace namespace = Namespace.of(tenant);
    if (!catalog.namespaceExists(namespace)) {
      try {
        catalog.createNamespace(namespace);
      } catch (AlreadyExistsException e) {
        // another catalog process created it between our check and our create: the goal is met
      }
    }
    for (TableDefinition table : SIGNAL_TABLES) {
      TableIdentifier identifier = TableIdentifier.of(namespace, table.name());
      if (catalog.tableExists(identifier)) {
        continue;
      }
      try {
        catalog
            .buildTable(identifier, table.schema())
            .withPartitionSpec(table.spec())
            .withSortOrder(table.sortOrder())
            .withProperties(table.properties())
            .create();
      } catch (AlreadyExistsException e) {
        // created concurrently by another catalog process: the goal is met
      }
    }
  }
}
