package io.openwit.receiver;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import io.openwit.common.auth.ApiKeyDecorator;
import io.openwit.common.auth.Authenticator;
import io.openwit.common.config.ConfigWatcher;
import io.openwit.common.config.ListenAddress;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.AsyncBatchTracker;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.NodeHeartbeat;
import io.openwit.common.observe.ObservabilityRoutes;
import io.openwit.common.wire.Signal;
import io.openwit.receiver.auth.ApiKeyInterceptor;
import io.openwit.receiver.grpc.OtlpGrpcServices;
import io.openwit.receiver.http.OtlpErrors;
import io.openwit.receiver.http.OtlpHttpService;
import io.openwit.receiver.ingest.OtlpIngester;
import io.openwit.receiver.ingest.TenantRateLimiter;
import io.openwit.receiver.kafka.KafkaWal;
import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The OTLP gateway: gRPC and HTTP endpoints in front of the Kafka write-ahead log. */
public final class OtlpReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpReceiver.class);
  private static final int TOPIC_PARTITIONS = 2;
  private static final long CONFIG_POLL_MS = 1_000;
  /** Time for receiving and decoding a request on top of waiting for Kafka's acknowledgement. */
  private static final long REQUEST_TIMEOUT_MARGIN_MS = 15_000;

  private final KafkaWal wal;
  private final Server server;
  private final OpenWitConfig.Receiver settings;
  private final Authenticator authenticator;
  private final OtlpIngester ingester;
  private final TenantRateLimiter limiter;
  private ConfigWatcher configWatcher;
  private AsyncBatchTracker batchTracker;
  private NodeHeartbeat heartbeat;

  private OtlpReceiver(KafkaWal wal, Server server, OpenWitConfig.Receiver settings, Authenticator authenticator,
      OtlpIngester ingester, TenantRateLimiter limiter) {
    this.ingester = ingester;
    this.limiter = limiter;
    this.wal = wal;
    this.server = server;
    this.settings = settings;
    this.authenticator = authenticator;
  }

  public static OtlpReceiver start(OpenWitConfig config) {
    return start(config, null);
  }

  /** As {@link #start(OpenWitConfig)}, reloading the per-tenant limits whenever {@code configFile} changes. */
  public static OtlpReceiver start(OpenWitConfig config, Path configFile) {
    KafkaWal wal = new KafkaWal(config);
    try {
      wal.ensureTopics(TOPIC_PARTITIONS);
      // the catalog migrates the metastore; a receiver without API keys starts even while it is down
      Metastore metastore = Metastore.of(config);
      AsyncBatchTracker tracker = config.batchTracking().enabled()
          ? new AsyncBatchTracker(metastore, config.batchTracking()) : null;
      // Kafka is what ingestion needs; the metastore only to learn new API keys (tracking waits
      // for it in a queue), so without authentication a metastore outage keeps receivers serving.
      Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
      readiness.put("kafka", wal::isReachable);
      if (config.auth().enabled()) {
        readiness.put("metastore", metastore::isReachable);
      }
      OtlpReceiver receiver = start(config, wal, authenticator(config, metastore),
          tracker == null ? BatchReporter.NONE : tracker, readiness);
      receiver.batchTracker = tracker;
      receiver.heartbeat = NodeHeartbeat.start(config, "receiver", config.receiver().httpPort(),
          () -> ObservabilityRoutes.isReady(readiness));
      if (configFile != null) {
        receiver.configWatcher = ConfigWatcher.watch(configFile, System.getenv(), CONFIG_POLL_MS,
            changed -> receiver.limiter.update(changed.limits()));
      }
      return receiver;
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  static Authenticator authenticator(OpenWitConfig config, Metastore metastore) {
    if (!config.auth().enabled()) {
      LOG.warn("authentication is off (auth.enabled: false): every request goes to tenant 'default'");
      return Authenticator.open();
    }
    metastore.migrate();
    return Authenticator.of(config, metastore);
  }

  /**
   * Serves OTLP in front of {@code wal}, whose topics must exist, reporting accepted batches to
   * {@code batches} and answering {@code /health/ready} from {@code readiness}.
   */
  static OtlpReceiver start(OpenWitConfig config, KafkaWal wal, Authenticator authenticator, BatchReporter batches,
      Map<String, BooleanSupplier> readiness) {
    OpenWitConfig.Receiver receiver = config.receiver();
    TenantRateLimiter limiter = new TenantRateLimiter(config.limits());
    OtlpIngester ingester = new OtlpIngester(wal, limiter, batches, config);
    int maxRequestBytes = Math.toIntExact(receiver.maxRequestBytes());
    GrpcServiceBuilder grpc = GrpcService.builder()
        .maxRequestMessageLength(maxRequestBytes)
        .useBlockingTaskExecutor(true)
        .intercept(new ApiKeyInterceptor(authenticator));
    OtlpGrpcServices.all(ingester).forEach(grpc::addService);
    // Every port serves every protocol; 4317 (gRPC), 4318 and 9087 (HTTP) are the conventions.
    ServerBuilder server = Server.builder();
    for (int port : new int[] {receiver.httpPort(), receiver.jsonHttpPort(), receiver.grpcPort()}) {
      if (receiver.tls().enabled()) {
        server.https(ListenAddress.of(config, port));
      } else {
        server.http(ListenAddress.of(config, port));
      }
    }
    if (receiver.tls().enabled()) {
      server.tls(new File(receiver.tls().certPath()), new File(receiver.tls().keyPath()));
    }
    OpenWitConfig.Connections connections = receiver.connections();
    server
        .http2MaxStreamsPerConnection(connections.maxConcurrentStreams())
        .pingIntervalMillis(connections.keepaliveIntervalMs())
        .maxConnectionAgeMillis(connections.maxConnectionAgeMs())
        .maxRequestLength(maxRequestBytes)
        // A request waits up to the ack timeout for Kafka: the server's own timeout must not end it
        // first with an answer the client cannot tell from a lost request.
        .requestTimeoutMillis(receiver.kafkaAckTimeoutMs() + REQUEST_TIMEOUT_MARGIN_MS)
        .errorHandler(new OtlpErrors(maxRequestBytes))
        .service(grpc.build());
    for (Signal signal : Signal.values()) {
      server.route().methods(HttpMethod.POST).path("/v1/" + signal.headerValue())
          .decorator(new ApiKeyDecorator(authenticator, OtlpErrors::unauthorized))
          .build(new OtlpHttpService(signal, ingester, maxRequestBytes));
    }
    ObservabilityRoutes.addTo(server, readiness, authenticator);
    if (connections.maxConnections() > 0) {
      server.maxNumConnections(connections.maxConnections());
    }
    Server started = server.build();
    started.start().join();
    LOG.info("OTLP receiver{}: gRPC on {}, HTTP on {} and {}; writing to Kafka at {}",
        receiver.tls().enabled() ? " (TLS)" : "", receiver.grpcPort(), receiver.httpPort(), receiver.jsonHttpPort(),
        config.ingestion().kafka().bootstrapServers());
    return new OtlpReceiver(wal, started, receiver, authenticator, ingester, limiter);
  }

  public int httpPort() {
    return settings.httpPort();
  }

  public int grpcPort() {
    return settings.grpcPort();
  }

  /** Bytes of accepted requests that Kafka has not acknowledged yet. */
  public long inFlightBytes() {
    return ingester.inFlightBytes();
  }

  @Override
  public void close() {
    if (heartbeat != null) {
      heartbeat.close();
    }
    if (configWatcher != null) {
      configWatcher.close();
    }
    server.stop().join();
    authenticator.close();
    wal.close();
    if (batchTracker != null) {
      batchTracker.close();
    }
  }
}
