package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.Metastore;
import io.openwit.query.api.QueryApiServer;
import io.openwit.receiver.OtlpReceiver;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stateless parts side by side, as behind a load balancer: two receivers and two query APIs on
 * the same Kafka, metastore and warehouse. A tenant's key works on both receivers, what either
 * acknowledges is stored once, and both query APIs give the same answers.
 */
class ScaleOutIT {
  private static final long KEY_REFRESH_MS = 300;

  @Test
  void twoReceiversAndTwoQueryApisBehaveAsOne() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.POSTGRESQL, Map.of(
        "auth.enabled", "true",
        "auth.key_refresh_ms", Long.toString(KEY_REFRESH_MS)))) {
      openWit.startIndexJob();
      // the second instances: the same openwit.yaml, their own ports and data_dir (segment cache)
      OpenWitConfig second = ConfigLoader.parse(
          Files.readString(openWit.config.dataPath().resolve("openwit.yaml")),
          Map.of("data_dir", openWit.config.dataPath() + "-second",
              "receiver.http_port", Integer.toString(SharedEngines.freePort()),
              "receiver.json_http_port", Integer.toString(SharedEngines.freePort()),
              "receiver.grpc_port", Integer.toString(SharedEngines.freePort()),
              "query.port", Integer.toString(SharedEngines.freePort())),
          Map.of(), "second instance");
      String key = Metastore.of(openWit.config).createTenant("scale").key();
      try (OtlpReceiver otherReceiver = OtlpReceiver.start(second, null);
          QueryApiServer otherQueryApi = QueryApiServer.start(second)) {
        Thread.sleep(3 * KEY_REFRESH_MS);
        List<String> receivers = List.of(
            "http://localhost:" + openWit.receiver.httpPort(), "http://localhost:" + otherReceiver.httpPort());
        List<String> queryApis = List.of(
            "http://localhost:" + openWit.queryApi.port(), "http://localhost:" + otherQueryApi.port());

        SdkSpans.ChosenSpan[] chosen = new SdkSpans.ChosenSpan[receivers.size()];
        long logs = 0;
        for (int i = 0; i < receivers.size(); i++) {
          SdkSpans sdk = new SdkSpans(null);
          int receiver = i;
          sdk.run(OtlpHttpSpanExporter.builder().setEndpoint(receivers.get(i) + "/v1/traces")
              .addHeader("Authorization", "Bearer " + key).build(), "scale-" + i, tracer -> {
                SdkSpans.simpleSpans(tracer, 500);
                chosen[receiver] = SdkSpans.chosenSpan(tracer);
              });
          assertThat(sdk.acknowledged.get()).as("receiver %s", i).isEqualTo(502);
          String logsEndpoint = receivers.get(i) + "/v1/logs";
          logs += LogCorpus.send(() -> OtlpHttpLogRecordExporter.builder().setEndpoint(logsEndpoint)
              .addHeader("Authorization", "Bearer " + key).build(), 5, i * 1_000L, 300, Instant.now());
        }
        assertThat(logs).isEqualTo(600);
        assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.scale.spans", 1_004, Duration.ofMinutes(2)))
            .isEqualTo(1_004);
        assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.scale.logs", logs, Duration.ofMinutes(2)))
            .isEqualTo(logs);

        long declined = openWit.queryLong("SELECT count(*) FROM openwit.scale.logs WHERE body LIKE 'payment declined%'");
        assertThat(declined).isPositive();
        for (String api : queryApis) {
          String search = api + "/api/v1/search?limit=1000&query="
              + URLEncoder.encode("body:\"payment declined\"", StandardCharsets.UTF_8);
          Await.until(() -> HttpApi.call(search, key, null).json().path("total_hits").asLong() == declined,
              Duration.ofMinutes(2), "search on " + api);
          for (SdkSpans.ChosenSpan span : chosen) {
            HttpApi.Answer trace = HttpApi.call(api + "/api/v1/traces/" + span.traceId(), key, null);
            assertThat(trace.status()).as(trace.body()).isEqualTo(200);
            JsonNode spans = trace.json().path("spans");
            assertThat(HttpApi.elements(spans)).extracting(node -> node.path("span_id").asText())
                .contains(span.spanId());
          }
        }
      }
    }
  }
}
