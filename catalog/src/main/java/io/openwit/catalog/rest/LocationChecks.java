package io.openwit.catalog.rest;

import io.openwit.catalog.WarehouseLocations;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.MetadataUpdate;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;

/**
 * Refuses (400), whoever asks, every request that would put a table, a view, a namespace or any of
 * their files outside the warehouse: an explicit location, a registered metadata file, a
 * {@code SetLocation} commit, or a property that moves where data or metadata files are written.
 */
final class LocationChecks {
  /** Table properties that place files somewhere of their own. */
  private static final List<String> PATH_PROPERTIES = List.of(
      TableProperties.WRITE_DATA_LOCATION, TableProperties.WRITE_METADATA_LOCATION,
      TableProperties.OBJECT_STORE_PATH, TableProperties.WRITE_FOLDER_STORAGE_LOCATION);
  private static final String NAMESPACE_LOCATION = "location";

  private final WarehouseLocations warehouse;

  LocationChecks(WarehouseLocations warehouse) {
    this.warehouse = warehouse;
  }

  void namespaceProperties(Map<String, String> properties) {
    if (properties != null) {
      warehouse.checkNamespace(properties.get(NAMESPACE_LOCATION), "namespace location");
    }
  }

  void createTable(CreateTableRequest create) {
    warehouse.checkTable(create.location(), "table location");
    tableProperties(create.properties());
  }

  void registerTable(RegisterTableRequest register) {
    warehouse.checkTable(register.metadataLocation(), "metadata location");
  }

  void createView(CreateViewRequest create) {
    warehouse.checkTable(create.location(), "view location");
  }

  void update(UpdateTableRequest update) {
    for (MetadataUpdate change : update.updates()) {
      if (change instanceof MetadataUpdate.SetLocation setLocation) {
        warehouse.checkTable(setLocation.location(), "location");
      } else if (change instanceof MetadataUpdate.SetProperties setProperties) {
        tableProperties(setProperties.updated());
      }
    }
  }

  private void tableProperties(Map<String, String> properties) {
    if (properties == null) {
      return;
    }
    for (String key : PATH_PROPERTIES) {
      warehouse.checkTable(properties.get(key), "table property " + key);
    }
  }
}
