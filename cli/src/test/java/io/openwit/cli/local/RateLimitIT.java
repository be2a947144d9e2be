package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant rate and size limits: 429 with Retry-After and 413 naming the limit, nothing lost of
 * what was accepted, and new limits taking effect when openwit.yaml changes, without a restart.
 * Requests are hand-made so each one's size and outcome is exact; the SDK would retry a 429.
 */
class RateLimitIT {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void limitsRefuseWithTheirReasonAndReloadWithoutRestart() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "limits.defaults.items_per_second", "500",
        "limits.defaults.max_request_bytes", "200000"))) {
      long accepted = 0;
      assertThat(post(openWit, 400).statusCode()).isEqualTo(200);
      accepted += 400;
      assertThat(post(openWit, 400).statusCode()).as("a bucket with allowance left may go into debt").isEqualTo(200);
      accepted += 400;
      HttpResponse<String> limited = post(openWit, 400);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(
          seconds -> assertThat(Long.parseLong(seconds)).isPositive());
      assertThat(limited.body()).contains("tenant 'default' is over its limit of 500 items per second");

      HttpResponse<String> tooLarge = post(openWit, 5_000);
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(tooLarge.body()).contains("exceeds tenant 'default''s limit of 200000 bytes");

      Path configFile = openWit.config.dataPath().resolve("openwit.yaml");
      Files.writeString(configFile, Files.readString(configFile)
          .replace("items_per_second: \"500\"", "items_per_second: \"1000000\"")
          .replace("max_request_bytes: \"200000\"", "max_request_bytes: \"0\""));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      HttpResponse<String> afterReload = post(openWit, 5_000);
      while (afterReload.statusCode() != 200 && System.nanoTime() < deadline) {
        Thread.sleep(500);
        afterReload = post(openWit, 5_000);
      }
      assertThat(afterReload.statusCode()).as(afterReload.body()).isEqualTo(200);
      accepted += 5_000;
      for (int i = 0; i < 3; i++) {
        assertThat(post(openWit, 1_000).statusCode()).isEqualTo(200);
        accepted += 1_000;
      }

      assertThat(openWit.awaitSpanCount(accepted, Duration.ofMinutes(2))).isEqualTo(accepted);
    }
  }

  private HttpResponse<String> post(OpenWitUnderTest openWit, int spans) throws Exception {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    byte[] traceId = new byte[16];
    ThreadLocalRandom.current().nextBytes(traceId);
    for (int i = 0; i < spans; i++) {
      byte[] spanId = new byte[8];
      ThreadLocalRandom.current().nextBytes(spanId);
      spanId[0] |= 1;
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
          .setName("limited").setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setEndTimeUnixNano(1_700_000_000_000_001_000L + i));
    }
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("limits"))))
            .addScopeSpans(scope))
        .build();
    return http.send(HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
