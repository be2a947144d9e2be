package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Kafka stops during a steady send and comes back: clients get retryable errors meanwhile,
 * ingestion resumes by itself, and every acknowledged span is queryable exactly once. It runs its
 * own broker, since stopping the shared one would stop every other test.
 */
class KafkaOutageIT {

  @Test
  void acknowledgedSpansSurviveAKafkaOutageExactlyOnce() throws Exception {
    Path kafkaDir = Files.createTempDirectory("openwit-outage-kafka-");
    int port = SharedEngines.freePort();
    int controllerPort = SharedEngines.freePort();
    EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, port, controllerPort);
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "ingestion.kafka.bootstrap_servers", kafka.bootstrapServers(),
        "receiver.kafka_ack_timeout_ms", "3000"))) {
      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      AtomicBoolean sending = new AtomicBoolean(true);
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        for (int wave = 0; sending.get() && wave < 500; wave++) {
          sdk.asService("outage-" + (wave % 2), tracer -> SdkSpans.simpleSpans(tracer, 200));
        }
      });
      Await.until(() -> openWit.spanCount() > 0, Duration.ofMinutes(2), "spans flowing before the outage");

      kafka.close();
      HttpResponse<String> duringOutage = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
          HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(duringOutage.statusCode()).as(duringOutage.body()).isEqualTo(503);
      assertThat(duringOutage.headers().firstValue("retry-after")).isPresent();
      assertThat(duringOutage.body()).contains("could not make the request durable in Kafka");
      HttpApi.Answer notReady = HttpApi.get("http://localhost:" + openWit.receiver.httpPort() + "/health/ready");
      assertThat(notReady.status()).as(notReady.body()).isEqualTo(503);
      assertThat(notReady.json().path("checks").path("kafka").asText()).isEqualTo("down");
      Thread.sleep(5_000);
      assertThat(openWit.receiver.inFlightBytes())
          .as("bytes held while Kafka is down").isLessThanOrEqualTo(openWit.config.receiver().maxInFlightBytes());

      kafka = EmbeddedKafka.start(kafkaDir, port, controllerPort);
      Await.until(() -> HttpApi.get("http://localhost:" + openWit.receiver.httpPort() + "/health/ready").status() == 200,
          Duration.ofMinutes(1), "the receiver ready again");
      long acknowledgedAtRestart = sdk.acknowledged.get();
      Await.until(() -> sdk.acknowledged.get() > acknowledgedAtRestart + 2_000, Duration.ofMinutes(2),
          "acknowledgements after Kafka returned");
      sending.set(false);
      sender.get(3, TimeUnit.MINUTES);

      // The SDK retries 503s with backoff, so exports may all succeed in the end; what matters is
      // that exactly the acknowledged spans are stored.
      long acknowledged = sdk.acknowledged.get();
      assertThat(openWit.awaitSpanCount(acknowledged, Duration.ofMinutes(3))).isEqualTo(acknowledged);
      assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans"))
          .isEqualTo(acknowledged);
    } finally {
      kafka.close();
    }
  }
}
