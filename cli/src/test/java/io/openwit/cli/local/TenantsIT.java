package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.openwit.cli.OpenWit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Tenants made with {@code openwit tenants}, their API keys on OTLP/HTTP and OTLP/gRPC, and each
 * tenant's data in its own namespace only.
 */
class TenantsIT {
  private static final long KEY_REFRESH_MS = 300;
  private static final Pattern API_KEY = Pattern.compile("api key: (\\S+)");

  @Test
  void eachKeyWritesOnlyIntoItsOwnTenant() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "auth.enabled", "true",
        "auth.key_refresh_ms", Long.toString(KEY_REFRESH_MS)))) {
      String acmeKey = apiKey(tenants(openWit, "create", "acme"));
      String globexKey = apiKey(tenants(openWit, "create", "globex"));
      assertThat(tenants(openWit, "list")).contains("acme").contains("globex").contains("default");
      Thread.sleep(3 * KEY_REFRESH_MS);

      SdkSpans.Sent acme = SdkSpans.sendWith(OtlpHttpSpanExporter.builder()
          .setEndpoint(openWit.tracesEndpoint()).addHeader("Authorization", "Bearer " + acmeKey).build(), "acme-shop", 300);
      SdkSpans.Sent globex = SdkSpans.sendWith(OtlpGrpcSpanExporter.builder()
          .setEndpoint(openWit.grpcEndpoint()).addHeader("Authorization", "Bearer " + globexKey).build(), "globex-api", 200);
      assertThat(acme.acknowledged()).isEqualTo(300);
      assertThat(globex.acknowledged()).isEqualTo(200);

      SdkSpans.Sent unknownOverGrpc = SdkSpans.sendWith(OtlpGrpcSpanExporter.builder()
          .setEndpoint(openWit.grpcEndpoint()).addHeader("Authorization", "Bearer owk_nope_nope").build(), "intruder", 10);
      assertThat(unknownOverGrpc.acknowledged()).isZero();
      assertThat(unknownOverGrpc.rejected()).isEqualTo(10);
      assertThat(post(openWit, null).statusCode()).isEqualTo(401);
      assertThat(post(openWit, null).body()).contains("missing API key");
      assertThat(post(openWit, "Bearer owk_0000_0000").body()).contains("unknown API key");

      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.acme.spans", 300, Duration.ofMinutes(2))).isEqualTo(300);
      assertThat(openWit.awaitCount("SELECT count(*) FROM openwit.globex.spans", 200, Duration.ofMinutes(2))).isEqualTo(200);
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.acme.spans WHERE service_name <> 'acme-shop'")).isZero();
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.globex.spans WHERE service_name <> 'globex-api'")).isZero();
      assertThat(openWit.spanCount()).as("nothing reached the default tenant").isZero();

      String newAcmeKey = apiKey(tenants(openWit, "rotate-key", "acme"));
      tenants(openWit, "delete", "globex");
      Thread.sleep(3 * KEY_REFRESH_MS);
      assertThat(post(openWit, "Bearer " + acmeKey).statusCode()).isEqualTo(401);
      assertThat(post(openWit, "Bearer " + globexKey).statusCode()).isEqualTo(401);
      assertThat(post(openWit, "Bearer " + newAcmeKey).statusCode()).isEqualTo(200);
    }
  }

  private static String tenants(OpenWitUnderTest openWit, String... arguments) {
    StringWriter out = new StringWriter();
    String[] command = new String[arguments.length + 2];
    command[0] = "tenants";
    command[1] = arguments[0];
    command[2] = "--config=" + openWit.config.dataPath().resolve("openwit.yaml");
    System.arraycopy(arguments, 1, command, 3, arguments.length - 1);
    int exit = new CommandLine(new OpenWit()).setOut(new PrintWriter(out, true)).execute(command);
    assertThat(exit).as("openwit " + String.join(" ", command) + "\n" + out).isZero();
    return out.toString();
  }

  private static String apiKey(String output) {
    Matcher matcher = API_KEY.matcher(output);
    assertThat(matcher.find()).as(output).isTrue();
    return matcher.group(1);
  }

  private static HttpResponse<String> post(OpenWitUnderTest openWit, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
