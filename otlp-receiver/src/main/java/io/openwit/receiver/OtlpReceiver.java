package io.openwit.receiver;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.Server;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.receiver.http.OtlpErrors;
import io.openwit.receiver.http.OtlpHttpService;
import io.openwit.receiver.kafka.KafkaWal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The OTLP gateway process: HTTP endpoints in front of the Kafka write-ahead log. */
public final class OtlpReceiver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpReceiver.class);
  private static final int TOPIC_PARTITIONS = 2;

  private final KafkaWal wal;
  private final Server server;

  private OtlpReceiver(KafkaWal wal, Server server) {
    this.wal = wal;
    this.server = server;
  }

  public static OtlpReceiver start(OpenWitConfig config) {
    KafkaWal wal = new KafkaWal(config);
    try {
      wal.ensureTopics(TOPIC_PARTITIONS);
      return start(config, wal);
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /** Serves OTLP/HTTP in front of {@code wal}, whose topics must exist. */
  static OtlpReceiver start(OpenWitConfig config, KafkaWal wal) {
    OpenWitConfig.Receiver receiver = config.receiver();
    OtlpHttpService traces =
        new OtlpHttpService(wal, receiver.maxRequestBytes(), receiver.kafkaAckTimeoutMs());
    Server server =
        Server.builder()
            .http(receiver.httpPort())
            .maxRequestLength(receiver.maxRequestBytes())
            .errorHandler(new OtlpErrors(receiver.maxRequestBytes()))
            .route().methods(HttpMethod.POST).path("/v1/traces").build(traces)
            .build();
    server.start().join();
    LOG.info("OTLP/HTTP receiver on port {} writing to Kafka at {}",
        server.activeLocalPort(), config.ingestion().kafka().bootstrapServers());
    return new OtlpReceiver(wal, server);
  }

  public int httpPort() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
    wal.close();
  }
}
