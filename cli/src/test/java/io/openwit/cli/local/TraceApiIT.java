package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openwit.common.metastore.Metastore;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/traces/{id}} on the query API with API keys: every span of the trace, the
 * same spans Trino finds, only for the tenant whose key asks.
 */
class TraceApiIT {
  private static final long KEY_REFRESH_MS = 300;

  @Test
  void aTraceIsReadBackWholeAndOnlyByItsTenant() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "auth.enabled", "true",
        "auth.key_refresh_ms", Long.toString(KEY_REFRESH_MS)))) {
      Metastore metastore = new Metastore(openWit.metastoreUrl, "", "");
      String acmeKey = metastore.createTenant("acme").key();
      String globexKey = metastore.createTenant("globex").key();
      Thread.sleep(3 * KEY_REFRESH_MS);

      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      SdkSpans.ChosenSpan[] chosen = new SdkSpans.ChosenSpan[1];
      sdk.run(OtlpHttpSpanExporter.builder().setEndpoint(openWit.tracesEndpoint())
          .addHeader("Authorization", "Bearer " + acmeKey).build(), "acme-shop", tracer -> {
            SdkSpans.simpleSpans(tracer, 500);
            chosen[0] = SdkSpans.chosenSpan(tracer);
            SdkSpans.simpleSpans(tracer, 500);
          });
      assertThat(sdk.acknowledged.get()).isEqualTo(1_002);
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.acme.spans", 1_002, Duration.ofMinutes(2)))
          .isEqualTo(1_002);
      String traceId = chosen[0].traceId();

      String api = "http://localhost:" + openWit.queryApi.port() + "/api/v1/traces/";
      HttpResponse<String> found = get(api + traceId, acmeKey);
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
      JsonNode trace = new HttpApi.Answer(200, found.body()).json();
      assertThat(trace.path("trace_id").asText()).isEqualTo(traceId);
      List<JsonNode> spans = HttpApi.elements(trace.path("spans"));
      assertThat(spans).extracting(span -> span.path("span_id").asText())
          .containsExactlyInAnyOrderElementsOf(trinoSpanIds(openWit, traceId));
      assertThat(spans).extracting(span -> span.path("name").asText()).containsExactly("POST /checkout", "charge card");
      JsonNode child = spans.get(1);
      assertThat(child.path("parent_span_id").asText()).isEqualTo(chosen[0].parentSpanId());
      assertThat(child.path("duration_ns").asLong()).isEqualTo(chosen[0].durationNanos());
      assertThat(child.path("service_name").asText()).isEqualTo("acme-shop");
      assertThat(child.path("attributes").path("payment.provider").asText()).isEqualTo("acme-pay");
      assertThat(child.path("kind").asText()).isEqualTo("CLIENT");
      Instant start = Instant.parse(child.path("start_time").asText());

      assertThat(get(api + traceId.toUpperCase(Locale.ROOT), acmeKey).statusCode()).isEqualTo(200);
      assertThat(get(api + traceId + "?start=" + start.minusSeconds(60) + "&end=" + start.plusSeconds(60), acmeKey)
          .statusCode()).isEqualTo(200);
      HttpResponse<String> outsideWindow = get(api + traceId + "?end=" + start.minusSeconds(3600), acmeKey);
      assertThat(outsideWindow.statusCode()).isEqualTo(404);

      HttpResponse<String> otherTenant = get(api + traceId, globexKey);
      assertThat(otherTenant.statusCode()).as("globex's key never reads acme's spans").isEqualTo(404);
      assertThat(otherTenant.body()).contains("tenant 'globex'");
      HttpResponse<String> noKey = get(api + traceId, null);
      assertThat(noKey.statusCode()).isEqualTo(401);
      assertThat(noKey.body()).contains("missing API key");
      HttpResponse<String> badId = get(api + "not-a-trace", acmeKey);
      assertThat(badId.statusCode()).isEqualTo(400);
      assertThat(badId.body()).contains("32 hexadecimal digits");
      assertThat(get(api + traceId + "?start=yesterday", acmeKey).body()).contains("'start' must be an ISO-8601 instant");
    }
  }

  private static List<String> trinoSpanIds(OpenWitUnderTest openWit, String traceId) throws Exception {
    List<String> ids = new ArrayList<>();
    try (Connection connection = openWit.engines.trino.connect();
        PreparedStatement statement =
            connection.prepareStatement("SELECT span_id FROM openwit.acme.spans WHERE trace_id = ?")) {
      statement.setString(1, traceId);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
    }
    return ids;
  }

  private static HttpResponse<String> get(String url, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
