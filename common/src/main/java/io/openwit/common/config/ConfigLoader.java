package io.openwit.common.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.openwit.common.wire.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/** Reads {@code openwit.yaml}: {@code ${VAR}} and {@code ${VAR:-default}} substitution, strict keys. */
public final class ConfigLoader {
  private static final Pattern ENV_REFERENCE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private ConfigLoader() {}

  /** The file's configuration, or the defaults when {@code file} is null. */
  public static OpenWitConfig load(Path file, Map<String, String> environment) {
    if (file == null) {
      return OpenWitConfig.defaults();
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, environment, file.toString());
  }

  static OpenWitConfig parse(String yaml, Map<String, String> environment, String source) {
    return parse(yaml, Map.of(), environment, source);
  }

  /**
   * Parses {@code yaml} after substituting {@code environment}, then sets each dotted key path of
   * {@code overrides} (e.g. {@code ingestion.kafka.bootstrap_servers}) to its value; a value
   * written as a JSON list or object becomes structure.
   */
  public static OpenWitConfig parse(
      String yaml, Map<String, String> overrides, Map<String, String> environment, String source) {
    String substituted = substitute(yaml, environment, source);
    OpenWitConfig config;
    try {
      JsonNode parsed = substituted.isBlank() ? null : YAML.readTree(substituted);
      ObjectNode tree;
      if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
        tree = YAML.createObjectNode();
      } else if (parsed instanceof ObjectNode object) {
        tree = object;
      } else {
        throw new ConfigException(source + ": the configuration must be a YAML mapping of keys, not " + parsed.getNodeType());
      }
      for (Map.Entry<String, String> override : overrides.entrySet()) {
        set(tree, override.getKey(), override.getValue(), source);
      }
      refuseMovedKeys(tree, source);
      config = YAML.treeToValue(tree, OpenWitConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          source + ": unknown key '" + path(e) + "' (known keys here: "
              + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                  .collect(Collectors.joining(", ")) + ")", e);
    } catch (JsonMappingException e) {
      throw new ConfigException(
          source + ": bad value for '" + path(e) + "': " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    validate(config, source);
    return config;
  }

  /** Keys that moved, with where they went: an old file fails with the new key's name, never silently. */
  private static final Map<String, String> MOVED_KEYS = Map.of(
      "receiver.auth_enabled", "auth.enabled",
      "receiver.api_key_refresh_ms", "auth.key_refresh_ms");

  private static void refuseMovedKeys(ObjectNode tree, String source) {
    for (Map.Entry<String, String> moved : MOVED_KEYS.entrySet()) {
      String[] path = moved.getKey().split("\\.");
      if (tree.path(path[0]).has(path[1])) {
        throw new ConfigException(source + ": '" + moved.getKey() + "' is now '" + moved.getValue()
            + "' (authentication covers every door, not only the receiver)");
      }
    }
  }

  private static void set(ObjectNode tree, String keyPath, String value, String source) throws IOException {
    String[] keys = keyPath.split("\\.");
    ObjectNode node = tree;
    for (int level = 0; level < keys.length - 1; level++) {
      JsonNode child = node.get(keys[level]);
      if (child == null || child.isNull()) {
        node = node.putObject(keys[level]);
      } else if (child instanceof ObjectNode object) {
        node = object;
      } else {
        throw new ConfigException(source + ": cannot set '" + keyPath + "': '" + keys[level] + "' is not a mapping");
      }
    }
    String key = keys[keys.length - 1];
    if (key.isEmpty()) {
      throw new ConfigException(source + ": '" + keyPath + "' is not a key path");
    }
    if (value.startsWith("[") || value.startsWith("{")) {
      node.set(key, YAML.readTree(value));
    } else {
      node.put(key, value);
    }
  }

  static String substitute(String text, Map<String, String> environment, String source) {
    Matcher matcher = ENV_REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = environment.get(matcher.group(1));
      if (value == null) {
        value = matcher.group(2);
      }
      if (value == null) {
        throw new ConfigException(
            source + ": environment variable " + matcher.group(1) + " is not set and has no default");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static void validate(OpenWitConfig config, String source) {
    port(config.catalog().port(), "catalog.port", source);
    port(config.trino().httpsPort(), "trino.https_port", source);
    tls(config.receiver().tls(), "receiver.tls", true, source);
    // only the process that writes Trino's configuration reads Trino's certificate
    tls(config.trino().tls(), "trino.tls", false, source);
    positive(config.auth().keyRefreshMs(), "auth.key_refresh_ms", source);
    listenAddress(config, source);
    port(config.receiver().httpPort(), "receiver.http_port", source);
    port(config.receiver().jsonHttpPort(), "receiver.json_http_port", source);
    port(config.receiver().grpcPort(), "receiver.grpc_port", source);
    port(config.embeddedKafka().port(), "embedded_kafka.port", source);
    port(config.embeddedKafka().controllerPort(), "embedded_kafka.controller_port", source);
    port(config.flink().dashboardPort(), "flink.dashboard_port", source);
    port(config.trino().port(), "trino.port", source);
    port(config.query().port(), "query.port", source);
    positive(config.receiver().maxRequestBytes(), "receiver.max_request_bytes", source);
    positive(config.receiver().kafkaAckTimeoutMs(), "receiver.kafka_ack_timeout_ms", source);
    positive(config.receiver().maxInFlightBytes(), "receiver.max_in_flight_bytes", source);
    OpenWitConfig.Connections connections = config.receiver().connections();
    positive(connections.maxConcurrentStreams(), "receiver.connections.max_concurrent_streams", source);
    notNegative(connections.maxConnections(), "receiver.connections.max_connections", source);
    notNegative(connections.keepaliveIntervalMs(), "receiver.connections.keepalive_interval_ms", source);
    notNegative(connections.maxConnectionAgeMs(), "receiver.connections.max_connection_age_ms", source);
    if (config.receiver().maxInFlightBytes() < config.receiver().maxRequestBytes()) {
      throw new ConfigException(source + ": 'receiver.max_in_flight_bytes' must be at least 'receiver.max_request_bytes'");
    }
    positive(config.pipeline().checkpointIntervalMs(), "pipeline.checkpoint_interval_ms", source);
    positive(config.pipeline().parallelism(), "pipeline.parallelism", source);
    positive(config.pipeline().dedupWindowMs(), "pipeline.dedup_window_ms", source);
    if (!Set.of("committed", "earliest", "latest").contains(config.pipeline().startingOffsets())) {
      throw new ConfigException(source + ": 'pipeline.starting_offsets' must be committed, earliest or latest, was "
          + config.pipeline().startingOffsets());
    }
    OpenWitConfig.BatchTracking tracking = config.batchTracking();
    positive(tracking.flushIntervalMs(), "batch_tracking.flush_interval_ms", source);
    positive(tracking.queueCapacity(), "batch_tracking.queue_capacity", source);
    positive(tracking.stuckAfterMs(), "batch_tracking.stuck_after_ms", source);
    positive(tracking.keepCompletedMs(), "batch_tracking.keep_completed_ms", source);
    if (tracking.stuckAfterMs() >= config.pipeline().dedupWindowMs()) {
      // a stuck batch is replayed under its id: the pipeline must still remember ids that old
      throw new ConfigException(source + ": 'batch_tracking.stuck_after_ms' must be shorter than"
          + " 'pipeline.dedup_window_ms', so a batch alerted as stuck can be replayed without duplicates");
    }
    OpenWitConfig.Cluster cluster = config.cluster();
    positive(cluster.heartbeatIntervalMs(), "cluster.heartbeat_interval_ms", source);
    positive(cluster.leaseMs(), "cluster.lease_ms", source);
    if (cluster.downAfterMs() <= cluster.heartbeatIntervalMs()) {
      throw new ConfigException(source + ": 'cluster.down_after_ms' must be longer than 'cluster.heartbeat_interval_ms'");
    }
    OpenWitConfig.Maintenance maintenance = config.maintenance();
    positive(maintenance.intervalMs(), "maintenance.interval_ms", source);
    positive(maintenance.tickMs(), "maintenance.tick_ms", source);
    positive(maintenance.targetFileSizeBytes(), "maintenance.target_file_size_bytes", source);
    positive(maintenance.minInputFiles(), "maintenance.min_input_files", source);
    notNegative(maintenance.snapshotMaxAgeMs(), "maintenance.snapshot_max_age_ms", source);
    positive(maintenance.minSnapshotsToKeep(), "maintenance.min_snapshots_to_keep", source);
    notNegative(maintenance.orphanMinAgeMs(), "maintenance.orphan_min_age_ms", source);
    if (maintenance.tickMs() * 2 >= cluster.leaseMs()) {
      throw new ConfigException(source + ": 'maintenance.tick_ms' must be under half of 'cluster.lease_ms'");
    }
    retentionDays(maintenance.retention().defaults(), "maintenance.retention.defaults", source);
    maintenance.retention().tenants().forEach(
        (tenant, days) -> retentionDays(days, "maintenance.retention.tenants." + tenant, source));
    OpenWitConfig.Index index = config.index();
    positive(index.pollIntervalMs(), "index.poll_interval_ms", source);
    positive(index.maxFilesPerSegment(), "index.max_files_per_segment", source);
    positive(index.mergeMinSegments(), "index.merge_min_segments", source);
    positive(index.mergeMaxRows(), "index.merge_max_rows", source);
    positive(index.maxAttributeFields(), "index.max_attribute_fields", source);
    positive(config.query().timeoutMs(), "query.timeout_ms", source);
    positive(config.query().maxConcurrentPerTenant(), "query.max_concurrent_per_tenant", source);
    positive(maintenance.threads(), "maintenance.threads", source);
    positive(config.limits().maxItemsPerRequest(), "limits.max_items_per_request", source);
    positive(config.limits().maxAttributes(), "limits.max_attributes", source);
    positive(config.limits().maxAttributeValueBytes(), "limits.max_attribute_value_bytes", source);
    positive(config.limits().maxNestingDepth(), "limits.max_nesting_depth", source);
    positive(config.ingestion().kafka().walRetentionMs(), "ingestion.kafka.wal_retention_ms", source);
    if (config.ingestion().kafka().topics().deadLetter().isBlank()) {
      throw new ConfigException(source + ": 'ingestion.kafka.topics.dead_letter' must name a topic");
    }
    limits(config.limits().defaults(), "limits.defaults", source);
    config.limits().tenants().forEach((tenant, limits) -> limits(limits, "limits.tenants." + tenant, source));
    List<OpenWitConfig.ExternalTopics> external = config.ingestion().kafka().externalTopics();
    for (int i = 0; i < external.size(); i++) {
      externalTopics(external.get(i), "ingestion.kafka.external_topics[" + i + "]", source);
    }
    if (config.ingestion().kafka().topicIndexConfig().defaultIndexPosition() < 0) {
      throw new ConfigException(source + ": 'ingestion.kafka.topic_index_config.default_index_position' must be 0 or more");
    }
    positive(config.ingestion().kafka().topicDiscoveryIntervalMs(), "ingestion.kafka.topic_discovery_interval_ms", source);
    if (config.ingestion().kafka().clientProperties().containsKey("bootstrap.servers")) {
      throw new ConfigException(source + ": 'ingestion.kafka.client_properties' must not set bootstrap.servers;"
          + " 'ingestion.kafka.bootstrap_servers' does");
    }
    if (config.ingestion().kafka().bootstrapServers().isBlank()) {
      throw new ConfigException(source + ": 'ingestion.kafka.bootstrap_servers' must not be empty");
    }
    String endpoint = config.storage().s3().endpoint();
    if (!endpoint.isEmpty() && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException(source + ": 'storage.s3.endpoint' must be an http:// or https:// URL, was " + endpoint);
    }
    String url = config.metastore().jdbcUrl();
    if (!url.isEmpty() && !url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          source + ": 'metastore.jdbc_url' must be a jdbc:postgresql: or jdbc:sqlite: URL, was " + url);
    }
  }

  private static void tls(OpenWitConfig.Tls tls, String key, boolean readHere, String source) {
    if (tls.certPath().isEmpty() != tls.keyPath().isEmpty()) {
      throw new ConfigException(source + ": '" + key + ".cert_path' and '" + key + ".key_path' go together");
    }
    if (!readHere) {
      return;
    }
    for (String[] file : new String[][] {{tls.certPath(), key + ".cert_path"}, {tls.keyPath(), key + ".key_path"}}) {
      if (!file[0].isEmpty() && !Files.isReadable(Path.of(file[0]))) {
        throw new ConfigException(source + ": '" + file[1] + "' names no readable file: " + file[0]);
      }
    }
  }

  /**
   * Every listener binds {@code listen_address}. Opening them to the network with authentication
   * off would hand every tenant's data to anyone who can reach the machine, so that needs saying twice.
   */
  private static void listenAddress(OpenWitConfig config, String source) {
    String address = config.listenAddress();
    if (address.isBlank()) {
      throw new ConfigException(source + ": 'listen_address' must be an address such as 127.0.0.1 or 0.0.0.0");
    }
    if (!ListenAddress.isLoopback(address) && !config.auth().enabled() && !config.auth().allowOpenNetwork()) {
      throw new ConfigException(source + ": 'listen_address' " + address + " opens every port to the network while"
          + " 'auth.enabled' is false; turn authentication on, or set 'auth.allow_open_network: true' to run open");
    }
  }

  private static void externalTopics(OpenWitConfig.ExternalTopics topics, String key, String source) {
    if (topics.pattern().isEmpty()) {
      throw new ConfigException(source + ": '" + key + ".pattern' is required");
    }
    try {
      Pattern.compile(topics.pattern());
    } catch (PatternSyntaxException e) {
      throw new ConfigException(source + ": '" + key + ".pattern' is not a valid regular expression: " + e.getDescription());
    }
    if (!topics.signal().isEmpty() && !Set.of("traces", "logs", "metrics").contains(topics.signal())) {
      throw new ConfigException(source + ": '" + key + ".signal' must be traces, logs or metrics, was " + topics.signal());
    }
    if (!Set.of("otlp_proto", "otlp_json").contains(topics.encoding())) {
      throw new ConfigException(
          source + ": '" + key + ".encoding' must be otlp_proto or otlp_json, was " + topics.encoding());
    }
    if (topics.indexPosition() != null && topics.indexPosition() < 0) {
      throw new ConfigException(source + ": '" + key + ".index_position' must be 0 or more");
    }
  }

  private static void retentionDays(OpenWitConfig.RetentionDays days, String key, String source) {
    for (Signal signal : Signal.values()) {
      Integer value = days.of(signal);
      if (value != null) {
        notNegative(value, key + "." + signal.headerValue(), source);
      }
    }
  }

  private static void limits(OpenWitConfig.TenantLimits limits, String key, String source) {
    notNegative(limits.itemsPerSecond(), key + ".items_per_second", source);
    notNegative(limits.bytesPerSecond(), key + ".bytes_per_second", source);
    notNegative(limits.maxRequestBytes(), key + ".max_request_bytes", source);
  }

  private static void notNegative(long value, String key, String source) {
    if (value < 0) {
      throw new ConfigException(source + ": '" + key + "' must be 0 (unlimited) or more, was " + value);
    }
  }

  private static void port(int value, String key, String source) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(source + ": '" + key + "' must be a port (0-65535), was " + value);
    }
  }

  private static void positive(long value, String key, String source) {
    if (value <= 0) {
      throw new ConfigException(source + ": '" + key + "' must be positive, was " + value);
    }
  }
}
