package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.receiver.OtlpReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.Test;

/**
 * A Kafka broker that wants SASL/SCRAM credentials: ingestion.kafka.client_properties reach the
 * receiver's producer and admin client and the ingest job's source, so spans go end to end with
 * the right password and nowhere with a wrong one.
 */
class KafkaSaslIT {
  private static final String USER = "openwit";
  private static final String PASSWORD = "scram-secret";

  @Test
  void ingestWorksWithScramCredentialsAndIsRefusedWithoutThem() throws Exception {
    int plainPort = SharedEngines.freePort();
    int saslPort = SharedEngines.freePort();
    int controllerPort = SharedEngines.freePort();
    Path logs = Files.createTempDirectory("openwit-kafka-sasl-");
    try (EmbeddedKafka broker = EmbeddedKafka.start(logs, plainPort, controllerPort, Map.of(
        "listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
            + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort,
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms", "SCRAM-SHA-256",
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"))) {
      createScramUser(broker.bootstrapServers());
      String saslServers = "127.0.0.1:" + saslPort;

      OpenWitConfig wrongPassword = SharedEngines.config(logs.resolve("refused"), Map.of(
          "ingestion.kafka.bootstrap_servers", saslServers,
          "ingestion.kafka.client_properties", clientProperties("not-the-password")));
      assertThatThrownBy(() -> OtlpReceiver.start(wrongPassword).close())
          .hasStackTraceContaining("Authentication failed");

      Map<String, String> settings = new HashMap<>(Map.of(
          "ingestion.kafka.bootstrap_servers", saslServers,
          "ingestion.kafka.client_properties", clientProperties(PASSWORD)));
      try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, settings)) {
        assertThat(openWit.config.ingestion().kafka().toString()).doesNotContain(PASSWORD);
        SdkSpans.Sent sent = SdkSpans.sendWith(
            OtlpHttpSpanExporter.builder().setEndpoint(openWit.tracesEndpoint()).build(), "sasl-client", 200);
        assertThat(sent.acknowledged()).isEqualTo(200);
        assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.\"default\".spans", 200, Duration.ofMinutes(2)))
            .isEqualTo(200);
      }
    }
  }

  private static String clientProperties(String password) {
    return "{\"security.protocol\": \"SASL_PLAINTEXT\", \"sasl.mechanism\": \"SCRAM-SHA-256\", \"sasl.jaas.config\":"
        + " \"org.apache.kafka.common.security.scram.ScramLoginModule required username=\\\"" + USER
        + "\\\" password=\\\"" + password + "\\\";\"}";
  }

  /** Made over the PLAINTEXT listener, as an operator would before handing out credentials. */
  private static void createScramUser(String plainServers) throws Exception {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plainServers);
    try (Admin admin = Admin.create(properties)) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
          USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), PASSWORD))).all().get();
      Await.until(() -> !admin.describeUserScramCredentials(List.of(USER)).all().get().isEmpty(),
          Duration.ofSeconds(30), "SCRAM credentials of " + USER + " visible");
    }
  }
}
