package io.openwit.common.schema;

import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;

/** Everything needed to create one signal's table in a tenant namespace. */
public record TableDefinition(
    String name, Schema schema, PartitionSpec spec, SortOrder sortOrder, Map<String, String> properties) {}
