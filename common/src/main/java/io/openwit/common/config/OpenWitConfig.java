package io.openwit.common.config;

import io.openwit.common.wire.Signal;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The whole of {@code openwit.yaml}, typed. Every key has a default; {@link ConfigLoader} reads the
 * file, substitutes environment variables and rejects unknown keys and bad values by their path.
 */
public record OpenWitConfig(
    String dataDir,
    String listenAddress,
    Auth auth,
    Metastore metastore,
    Catalog catalog,
    Receiver receiver,
    Ingestion ingestion,
    Pipeline pipeline,
    EmbeddedKafka embeddedKafka,
    Flink flink,
    Trino trino,
    Query query,
    Limits limits,
    BatchTracking batchTracking,
    Cluster cluster,
    Maintenance maintenance,
    Index index,
    Storage storage) implements Serializable {

  public OpenWitConfig {
    dataDir = Objects.requireNonNullElse(dataDir, "./data");
    listenAddress = Objects.requireNonNullElse(listenAddress, "127.0.0.1");
    auth = Objects.requireNonNullElseGet(auth, () -> new Auth(null, null, null, null));
    metastore = Objects.requireNonNullElseGet(metastore, () -> new Metastore(null, null, null));
    catalog = Objects.requireNonNullElseGet(catalog, () -> new Catalog(null, null, null));
    receiver = Objects.requireNonNullElseGet(receiver, () -> new Receiver(null, null, null, null, null, null, null, null));
    ingestion = Objects.requireNonNullElseGet(ingestion, () -> new Ingestion(null));
    pipeline = Objects.requireNonNullElseGet(pipeline, () -> new Pipeline(null, null, null, null, null));
    embeddedKafka = Objects.requireNonNullElseGet(embeddedKafka, () -> new EmbeddedKafka(null, null));
    flink = Objects.requireNonNullElseGet(flink, () -> new Flink(null));
    trino = Objects.requireNonNullElseGet(trino, () -> new Trino(null, null, null, null, null, null));
    query = Objects.requireNonNullElseGet(query, () -> new Query(null, null, null, null));
    limits = Objects.requireNonNullElseGet(limits, () -> new Limits(null, null, null, null, null, null));
    batchTracking = Objects.requireNonNullElseGet(batchTracking, () -> new BatchTracking(null, null, null, null, null));
    cluster = Objects.requireNonNullElseGet(cluster, () -> new Cluster(null, null, null));
    maintenance = Objects.requireNonNullElseGet(
        maintenance, () -> new Maintenance(null, null, null, null, null, null, null, null, null, null));
    index = Objects.requireNonNullElseGet(index, () -> new Index(null, null, null, null, null, null, null));
    storage = Objects.requireNonNullElseGet(storage, () -> new Storage(null));
  }

  public static OpenWitConfig defaults() {
    return new OpenWitConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public Path dataPath() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  /** JDBC URL of the metastore; the default is an SQLite file in the data directory. */
  public String metastoreJdbcUrl() {
    return metastore.jdbcUrl().isEmpty()
        ? "jdbc:sqlite:" + dataPath().resolve("metastore.db")
        : metastore.jdbcUrl();
  }

  /** Where table data lives, as a URI Iceberg and Trino both resolve. */
  public String warehouseLocation() {
    return catalog.warehouse().isEmpty()
        ? dataPath().resolve("warehouse").toUri().toString()
        : catalog.warehouse();
  }

  /** Whether the warehouse is on S3-compatible object storage rather than a file system. */
  public boolean warehouseOnS3() {
    String location = warehouseLocation();
    return location.startsWith("s3://") || location.startsWith("s3a://") || location.startsWith("s3n://");
  }

  /** The same configuration with its data under {@code directory}. */
  public OpenWitConfig withDataDir(String directory) {
    return new OpenWitConfig(
        directory, listenAddress, auth, metastore, catalog, receiver, ingestion, pipeline, embeddedKafka, flink, trino, query, limits,
        batchTracking, cluster, maintenance, index, storage);
  }

  /** The same configuration with the producers and consumers pointed at another Kafka. */
  public OpenWitConfig withKafkaBootstrapServers(String bootstrapServers) {
    Kafka kafka = ingestion.kafka();
    Ingestion changed = new Ingestion(new Kafka(bootstrapServers, kafka.topics(), kafka.externalTopics(),
        kafka.topicIndexConfig(), kafka.topicDiscoveryIntervalMs(), kafka.clientProperties(), kafka.walRetentionMs()));
    return new OpenWitConfig(
        dataDir, listenAddress, auth, metastore, catalog, receiver, changed, pipeline, embeddedKafka, flink, trino, query, limits,
        batchTracking, cluster, maintenance, index, storage);
  }

  public String catalogUri() {
    return "http://" + catalog.advertisedHost() + ":" + catalog.port();
  }

  public String queryApiUri() {
    return "http://" + query.advertisedHost() + ":" + query.port();
  }

  /** The metastore: tenants and API keys, and the Iceberg JDBC catalog's own tables. */
  public record Metastore(String jdbcUrl, String user, String password) implements Serializable {
    public Metastore {
      jdbcUrl = Objects.requireNonNullElse(jdbcUrl, "");
      user = Objects.requireNonNullElse(user, "");
      password = Objects.requireNonNullElse(password, "");
    }

    /** Never the password (configurations end up in logs and exception messages). */
    @Override
    public String toString() {
      return "Metastore[jdbcUrl=" + redact(jdbcUrl) + ", user=" + user + ", password="
          + (password.isEmpty() ? "" : "***") + "]";
    }

    /** {@code jdbcUrl} with any password in it starred out, for logs. */
    public static String redact(String jdbcUrl) {
      return jdbcUrl.replaceAll("password=[^&;]*", "password=***");
    }
  }

  /**
   * Object storage for the warehouse ({@code catalog.warehouse} as {@code s3://bucket/path}): any
   * S3-compatible store. Credentials never come from this file: every process reads them from its
   * environment, as the AWS SDK does ({@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}).
   */
  public record Storage(S3 s3) implements Serializable {
    public Storage {
      s3 = Objects.requireNonNullElseGet(s3, () -> new S3(null, null, null));
    }

    /**
     * The FileIO properties every Iceberg client of the warehouse uses (the catalog announces them
     * in its {@code /v1/config}): Iceberg picks the FileIO by location scheme, S3FileIO for
     * {@code s3://}, Hadoop's for local paths.
     */
    public Map<String, String> icebergProperties() {
      Map<String, String> properties = new TreeMap<>();
      properties.put("io-impl", "org.apache.iceberg.io.ResolvingFileIO");
      if (!s3.endpoint().isEmpty()) {
        properties.put("s3.endpoint", s3.endpoint());
      }
      if (!s3.region().isEmpty()) {
        properties.put("client.region", s3.region());
      }
      properties.put("s3.path-style-access", Boolean.toString(s3.pathStyleAccess()));
      return properties;
    }
  }

  /**
   * An S3-compatible store: {@code endpoint} empty means AWS itself, {@code region} empty means the
   * environment's ({@code AWS_REGION}); most self-hosted stores (MinIO, Ceph, S3Proxy) want
   * {@code pathStyleAccess} (http://host/bucket/key rather than http://bucket.host/key).
   */
  public record S3(String endpoint, String region, Boolean pathStyleAccess) implements Serializable {
    public S3 {
      endpoint = Objects.requireNonNullElse(endpoint, "");
      region = Objects.requireNonNullElse(region, "");
      pathStyleAccess = Objects.requireNonNullElse(pathStyleAccess, false);
    }
  }

  /** The Iceberg REST catalog server. */
  public record Catalog(Integer port, String advertisedHost, String warehouse) implements Serializable {
    public Catalog {
      port = Objects.requireNonNullElse(port, 8181);
      advertisedHost = Objects.requireNonNullElse(advertisedHost, "127.0.0.1");
      warehouse = Objects.requireNonNullElse(warehouse, "");
    }
  }

  /**
   * Who may do what ({@code auth.enabled} turns it on for every door at once): tenant keys read and
   * write their own tenant, admin keys run the operator APIs, and the service key (from the
   * environment variable {@code OPENWIT_SERVICE_KEY}, else the 0600 file {@code serviceKeyFile},
   * else {@code <data_dir>/service.key}, generated at first start) is what OpenWit's own processes
   * and Trino use. Keys created, rotated or revoked take effect within {@code keyRefreshMs}. A
   * listener on a non-loopback address with auth off refuses to start unless
   * {@code allowOpenNetwork}.
   */
  public record Auth(Boolean enabled, Boolean allowOpenNetwork, String serviceKeyFile, Long keyRefreshMs)
      implements Serializable {
    public Auth {
      enabled = Objects.requireNonNullElse(enabled, false);
      allowOpenNetwork = Objects.requireNonNullElse(allowOpenNetwork, false);
      serviceKeyFile = Objects.requireNonNullElse(serviceKeyFile, "");
      keyRefreshMs = Objects.requireNonNullElse(keyRefreshMs, 5_000L);
    }
  }

  /** The service key's file: {@code auth.service_key_file}, else {@code <data_dir>/service.key}. */
  public Path serviceKeyPath() {
    return auth.serviceKeyFile().isEmpty() ? dataPath().resolve("service.key") : Path.of(auth.serviceKeyFile());
  }

  /**
   * The OTLP receiver: OTLP/HTTP on {@code httpPort}, the same paths on the seed's JSON port
   * {@code jsonHttpPort}, OTLP/gRPC on {@code grpcPort}. With {@code auth.enabled} every request
   * needs a tenant's API key and writes into that tenant; without, everything goes to 'default'.
   * Requests waiting for Kafka hold at most {@code maxInFlightBytes}; past that, clients are told
   * to retry later.
   */
  public record Receiver(
      Integer httpPort, Integer jsonHttpPort, Integer grpcPort, Long maxRequestBytes, Long kafkaAckTimeoutMs,
      Long maxInFlightBytes, Tls tls, Connections connections) implements Serializable {
    public Receiver {
      tls = Objects.requireNonNullElseGet(tls, () -> new Tls(null, null));
      connections = Objects.requireNonNullElseGet(connections, () -> new Connections(null, null, null, null));
      maxInFlightBytes = Objects.requireNonNullElse(maxInFlightBytes, 256L * 1024 * 1024);
      httpPort = Objects.requireNonNullElse(httpPort, 4318);
      jsonHttpPort = Objects.requireNonNullElse(jsonHttpPort, 9087);
      grpcPort = Objects.requireNonNullElse(grpcPort, 4317);
      maxRequestBytes = Objects.requireNonNullElse(maxRequestBytes, 16L * 1024 * 1024);
      kafkaAckTimeoutMs = Objects.requireNonNullElse(kafkaAckTimeoutMs, 30_000L);
    }
  }

  /** TLS when both PEM files are given (certificate chain and PKCS#8 key). */
  public record Tls(String certPath, String keyPath) implements Serializable {
    public Tls {
      certPath = Objects.requireNonNullElse(certPath, "");
      keyPath = Objects.requireNonNullElse(keyPath, "");
    }

    public boolean enabled() {
      return !certPath.isEmpty();
    }
  }

  /**
   * Connection limits of the receiver's server: concurrent HTTP/2 (gRPC) streams per connection,
   * open connections (0: unlimited), keepalive PING interval and maximum connection age (0: none).
   */
  public record Connections(
      Long maxConcurrentStreams, Integer maxConnections, Long keepaliveIntervalMs, Long maxConnectionAgeMs) implements Serializable {
    public Connections {
      maxConcurrentStreams = Objects.requireNonNullElse(maxConcurrentStreams, 1_000L);
      maxConnections = Objects.requireNonNullElse(maxConnections, 0);
      keepaliveIntervalMs = Objects.requireNonNullElse(keepaliveIntervalMs, 60_000L);
      maxConnectionAgeMs = Objects.requireNonNullElse(maxConnectionAgeMs, 0L);
    }
  }

  /** Ingestion settings shared by the receiver (producer) and the pipeline (consumer). */
  public record Ingestion(Kafka kafka) implements Serializable {
    public Ingestion {
      kafka = Objects.requireNonNullElseGet(kafka, () -> new Kafka(null, null, null, null, null, null, null));
    }
  }

  /**
   * Kafka: the receiver's own topics, and {@code externalTopics} other producers write (such as
   * the OpenTelemetry Collector's kafka exporter), matched by pattern. {@code clientProperties}
   * (SASL, TLS: any Kafka client setting) go to every Kafka client OpenWit creates. The topics
   * OpenWit creates (the write-ahead log) keep records {@code walRetentionMs}: data the pipeline has
   * not read by then is lost, so this bounds how long it may be down.
   */
  public record Kafka(
      String bootstrapServers, Topics topics, List<ExternalTopics> externalTopics,
      TopicIndexConfig topicIndexConfig, Long topicDiscoveryIntervalMs, Map<String, String> clientProperties,
      Long walRetentionMs)
      implements Serializable {
    public Kafka {
      walRetentionMs = Objects.requireNonNullElse(walRetentionMs, 7 * 86_400_000L);
      clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
      bootstrapServers = Objects.requireNonNullElse(bootstrapServers, "127.0.0.1:9092");
      topics = Objects.requireNonNullElseGet(topics, () -> new Topics(null, null, null, null));
      externalTopics = externalTopics == null ? List.of() : List.copyOf(externalTopics);
      topicIndexConfig = Objects.requireNonNullElseGet(topicIndexConfig, () -> new TopicIndexConfig(null, null));
      topicDiscoveryIntervalMs = Objects.requireNonNullElse(topicDiscoveryIntervalMs, 30_000L);
    }

    /** What every Kafka client (producer, consumer, admin, Flink's source) starts from. */
    public Properties clientConfig() {
      Properties properties = new Properties();
      properties.putAll(clientProperties);
      properties.put("bootstrap.servers", bootstrapServers);
      return properties;
    }

    /** Client property values stay out: sasl.jaas.config holds a password. */
    @Override
    public String toString() {
      return "Kafka[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", externalTopics=" + externalTopics
          + ", clientProperties=" + new java.util.TreeSet<>(clientProperties.keySet()) + ", walRetentionMs=" + walRetentionMs + "]";
    }
  }

  /**
   * Topics matching {@code pattern} (a regular expression over the whole name) carry OTLP export
   * requests in {@code encoding} (otlp_proto or otlp_json, as the Collector's kafka exporter names
   * them). The signal is {@code signal}, or read from the topic name (a token spans, traces, logs or
   * metrics). The tenant is {@code tenant}, or the topic-name token at {@code indexPosition} (else
   * topic_index_config.default_index_position).
   */
  public record ExternalTopics(String pattern, String signal, String encoding, Integer indexPosition, String tenant) implements Serializable {
    public ExternalTopics {
      pattern = Objects.requireNonNullElse(pattern, "");
      signal = Objects.requireNonNullElse(signal, "");
      encoding = Objects.requireNonNullElse(encoding, "otlp_proto");
      tenant = Objects.requireNonNullElse(tenant, "");
    }
  }

  /**
   * How a tenant is read from a topic name: split at any of {@code separators}, take the token at
   * {@code defaultIndexPosition} (0-based). A topic without that token gets a tenant generated from
   * its whole name.
   */
  public record TopicIndexConfig(Integer defaultIndexPosition, String separators) implements Serializable {
    public TopicIndexConfig {
      defaultIndexPosition = Objects.requireNonNullElse(defaultIndexPosition, 2);
      separators = Objects.requireNonNullElse(separators, "._-");
    }
  }

  /**
   * The topics the receiver writes, one per signal, and {@code deadLetter}, where the jobs put the
   * records they cannot process (with the reason and the record's origin as headers).
   */
  public record Topics(String traces, String logs, String metrics, String deadLetter) implements Serializable {
    public Topics {
      deadLetter = Objects.requireNonNullElse(deadLetter, "openwit.dead-letter");
      traces = Objects.requireNonNullElse(traces, "openwit-otlp-traces");
      logs = Objects.requireNonNullElse(logs, "openwit-otlp-logs");
      metrics = Objects.requireNonNullElse(metrics, "openwit-otlp-metrics");
    }

    public String of(Signal signal) {
      return switch (signal) {
        case TRACES -> traces;
        case LOGS -> logs;
        case METRICS -> metrics;
      };
    }
  }

  /**
   * The ingest Flink job. A batch repeated within {@code dedupWindowMs} (a client's retry of a
   * request whose first attempt did reach Kafka) is written once.
   */
  public record Pipeline(
      Long checkpointIntervalMs, Integer parallelism, String consumerGroup, Long dedupWindowMs, String startingOffsets) implements Serializable {
    public Pipeline {
      startingOffsets = Objects.requireNonNullElse(startingOffsets, "committed");
      dedupWindowMs = Objects.requireNonNullElse(dedupWindowMs, 600_000L);
      checkpointIntervalMs = Objects.requireNonNullElse(checkpointIntervalMs, 5_000L);
      parallelism = Objects.requireNonNullElse(parallelism, 1);
      consumerGroup = Objects.requireNonNullElse(consumerGroup, "openwit-pipeline");
    }
  }

  /** The Kafka broker that single-node mode runs inside its own JVM. */
  public record EmbeddedKafka(Integer port, Integer controllerPort) implements Serializable {
    public EmbeddedKafka {
      port = Objects.requireNonNullElse(port, 9092);
      controllerPort = Objects.requireNonNullElse(controllerPort, 9093);
    }
  }

  /** The Flink MiniCluster of single-node mode. */
  public record Flink(Integer dashboardPort) implements Serializable {
    public Flink {
      dashboardPort = Objects.requireNonNullElse(dashboardPort, 8081);
    }
  }

  /**
   * The index builder: every {@code pollIntervalMs} it indexes the data files the logs and spans
   * tables gained, at most {@code maxFilesPerSegment} per segment; once a table has
   * {@code mergeMinSegments} segments of fewer than {@code mergeMaxRows} rows, they are merged.
   * With {@code storeRows}, segments keep each row (as Elasticsearch keeps _source), so a search
   * returns rows without reading the data files; without it, segments are smaller and rows are
   * read back from Parquet. At most {@code maxAttributeFields} attribute keys of a table get their
   * own Lucene field; the others are searchable through one catch-all field.
   */
  public record Index(
      Boolean enabled, Long pollIntervalMs, Integer maxFilesPerSegment, Integer mergeMinSegments, Long mergeMaxRows,
      Boolean storeRows, Integer maxAttributeFields) implements Serializable {
    public Index {
      maxAttributeFields = Objects.requireNonNullElse(maxAttributeFields, 1_000);
      enabled = Objects.requireNonNullElse(enabled, true);
      storeRows = Objects.requireNonNullElse(storeRows, true);
      pollIntervalMs = Objects.requireNonNullElse(pollIntervalMs, 2_000L);
      maxFilesPerSegment = Objects.requireNonNullElse(maxFilesPerSegment, 64);
      mergeMinSegments = Objects.requireNonNullElse(mergeMinSegments, 8);
      mergeMaxRows = Objects.requireNonNullElse(mergeMaxRows, 2_000_000L);
    }
  }

  /**
   * The query API (trace by id, search, histogram), authenticated like ingestion. Trino's
   * {@code search} catalog reaches it at {@code advertisedHost}. A query running longer than
   * {@code timeoutMs} is stopped (504); a tenant may run {@code maxConcurrentPerTenant} at once (429
   * past that).
   */
  public record Query(Integer port, String advertisedHost, Long timeoutMs, Integer maxConcurrentPerTenant)
      implements Serializable {
    public Query {
      timeoutMs = Objects.requireNonNullElse(timeoutMs, 30_000L);
      maxConcurrentPerTenant = Objects.requireNonNullElse(maxConcurrentPerTenant, 8);
      port = Objects.requireNonNullElse(port, 8083);
      advertisedHost = Objects.requireNonNullElse(advertisedHost, "127.0.0.1");
    }
  }

  /**
   * Per-tenant ingestion limits: {@code defaults} for every tenant, {@code tenants} overriding them
   * by tenant id. The receiver reloads them when openwit.yaml changes. Every request, whoever sends
   * it, is checked while it is decoded: at most {@code maxItemsPerRequest} spans, log records or
   * metric points; {@code maxAttributes} attributes per item, resource or scope; attribute values of
   * {@code maxAttributeValueBytes}; values nested {@code maxNestingDepth} deep.
   */
  public record Limits(
      TenantLimits defaults, Map<String, TenantLimits> tenants, Long maxItemsPerRequest, Integer maxAttributes,
      Integer maxAttributeValueBytes, Integer maxNestingDepth) implements Serializable {
    public Limits {
      maxItemsPerRequest = Objects.requireNonNullElse(maxItemsPerRequest, 100_000L);
      maxAttributes = Objects.requireNonNullElse(maxAttributes, 128);
      maxAttributeValueBytes = Objects.requireNonNullElse(maxAttributeValueBytes, 64 * 1024);
      maxNestingDepth = Objects.requireNonNullElse(maxNestingDepth, 32);
      defaults = Objects.requireNonNullElseGet(defaults, () -> new TenantLimits(null, null, null));
      tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
    }

    public TenantLimits of(String tenant) {
      return tenants.getOrDefault(tenant, defaults);
    }
  }

  /** 0 means unlimited; {@code maxRequestBytes} 0 means receiver.max_request_bytes. */
  public record TenantLimits(Long itemsPerSecond, Long bytesPerSecond, Long maxRequestBytes) implements Serializable {
    public TenantLimits {
      itemsPerSecond = Objects.requireNonNullElse(itemsPerSecond, 0L);
      bytesPerSecond = Objects.requireNonNullElse(bytesPerSecond, 0L);
      maxRequestBytes = Objects.requireNonNullElse(maxRequestBytes, 0L);
    }
  }

  /**
   * The Trino child process. {@code javaHome} empty means: search JAVA_HOME, then /usr/lib/jvm. With
   * {@code auth.enabled}, clients log in over HTTPS on {@code httpsPort} with the certificate of
   * {@code tls} (a self-signed one is generated when none is given); plain HTTP on {@code port}
   * then refuses every login and serves only Trino's internal requests, signed with a secret
   * derived from the service key.
   */
  public record Trino(Integer port, Integer httpsPort, Tls tls, String javaHome, String installDir, String maxHeap)
      implements Serializable {
    public Trino {
      port = Objects.requireNonNullElse(port, 8080);
      httpsPort = Objects.requireNonNullElse(httpsPort, 8443);
      tls = Objects.requireNonNullElseGet(tls, () -> new Tls(null, null));
      javaHome = Objects.requireNonNullElse(javaHome, "");
      installDir = Objects.requireNonNullElse(installDir, "");
      maxHeap = Objects.requireNonNullElse(maxHeap, "1G");
    }
  }

  /**
   * Where each batch is in its life (batch_tracker). Stage updates are queued and written in
   * batches every {@code flushIntervalMs}; when {@code queueCapacity} events wait, new ones are
   * dropped and counted rather than slowing ingestion. A batch not completed after
   * {@code stuckAfterMs} raises an alert; completed batches are forgotten after {@code keepCompletedMs}.
   */
  public record BatchTracking(
      Boolean enabled, Long flushIntervalMs, Integer queueCapacity, Long stuckAfterMs, Long keepCompletedMs) implements Serializable {
    public BatchTracking {
      enabled = Objects.requireNonNullElse(enabled, true);
      flushIntervalMs = Objects.requireNonNullElse(flushIntervalMs, 500L);
      queueCapacity = Objects.requireNonNullElse(queueCapacity, 200_000);
      stuckAfterMs = Objects.requireNonNullElse(stuckAfterMs, 300_000L);
      keepCompletedMs = Objects.requireNonNullElse(keepCompletedMs, 7 * 86_400_000L);
    }
  }

  /**
   * The control plane: every process heartbeats into the metastore every {@code heartbeatIntervalMs};
   * one silent for {@code downAfterMs} is shown as down. Singleton work is held by a lease of
   * {@code leaseMs}, renewed while its holder lives.
   */
  public record Cluster(Long heartbeatIntervalMs, Long downAfterMs, Long leaseMs) implements Serializable {
    public Cluster {
      heartbeatIntervalMs = Objects.requireNonNullElse(heartbeatIntervalMs, 5_000L);
      downAfterMs = Objects.requireNonNullElse(downAfterMs, 15_000L);
      leaseMs = Objects.requireNonNullElse(leaseMs, 30_000L);
    }
  }

  /**
   * The janitor: table maintenance every {@code intervalMs} (compaction of files below
   * {@code targetFileSizeBytes} once a partition has {@code minInputFiles} of them, snapshot
   * expiration, orphan removal, retention), and batch completion every {@code tickMs}. Maintenance
   * runs on {@code threads} threads of its own, never on the catalog's request threads.
   */
  public record Maintenance(
      Boolean enabled,
      Long intervalMs,
      Long tickMs,
      Long targetFileSizeBytes,
      Integer minInputFiles,
      Long snapshotMaxAgeMs,
      Integer minSnapshotsToKeep,
      Long orphanMinAgeMs,
      Retention retention,
      Integer threads) implements Serializable {
    public Maintenance {
      threads = Objects.requireNonNullElse(threads, 1);
      enabled = Objects.requireNonNullElse(enabled, true);
      intervalMs = Objects.requireNonNullElse(intervalMs, 3_600_000L);
      tickMs = Objects.requireNonNullElse(tickMs, 2_000L);
      targetFileSizeBytes = Objects.requireNonNullElse(targetFileSizeBytes, 128L * 1024 * 1024);
      minInputFiles = Objects.requireNonNullElse(minInputFiles, 5);
      snapshotMaxAgeMs = Objects.requireNonNullElse(snapshotMaxAgeMs, 3_600_000L);
      minSnapshotsToKeep = Objects.requireNonNullElse(minSnapshotsToKeep, 10);
      orphanMinAgeMs = Objects.requireNonNullElse(orphanMinAgeMs, 86_400_000L);
      retention = Objects.requireNonNullElseGet(retention, () -> new Retention(null, null));
    }
  }

  /** Days of data kept per signal: {@code defaults}, overridden per tenant; 0 keeps everything. */
  public record Retention(RetentionDays defaults, Map<String, RetentionDays> tenants) implements Serializable {
    public Retention {
      defaults = Objects.requireNonNullElseGet(defaults, () -> new RetentionDays(null, null, null));
      tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
    }

    public int daysOf(String tenant, Signal signal) {
      RetentionDays own = tenants.get(tenant);
      Integer days = own == null ? null : own.of(signal);
      return days != null ? days : Objects.requireNonNullElse(defaults.of(signal), 0);
    }
  }

  /** Retention in days for each signal; unset inherits the defaults. */
  public record RetentionDays(Integer traces, Integer logs, Integer metrics) implements Serializable {
    public Integer of(Signal signal) {
      return switch (signal) {
        case TRACES -> traces;
        case LOGS -> logs;
        case METRICS -> metrics;
      };
    }
  }
}
