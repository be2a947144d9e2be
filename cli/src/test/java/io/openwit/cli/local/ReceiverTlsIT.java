package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The receiver with TLS from PEM files: the SDK's gRPC and HTTP exporters trust its certificate. */
class ReceiverTlsIT {

  @Test
  void sdkExportersSendOverTls() throws Exception {
    Path dir = Files.createTempDirectory("openwit-tls-");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        .redirectErrorStream(true).start();
    assertThat(openssl.waitFor()).as(new String(openssl.getInputStream().readAllBytes())).isZero();

    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "receiver.tls.cert_path", cert.toString(),
        "receiver.tls.key_path", key.toString()))) {
      byte[] trusted = Files.readAllBytes(cert);
      SdkSpans.Sent grpc = SdkSpans.sendWith(OtlpGrpcSpanExporter.builder()
          .setEndpoint(openWit.grpcEndpoint()).setTrustedCertificates(trusted).build(), "tls-grpc", 100);
      SdkSpans.Sent http = SdkSpans.sendWith(OtlpHttpSpanExporter.builder()
          .setEndpoint(openWit.tracesEndpoint()).setTrustedCertificates(trusted).build(), "tls-http", 100);
      assertThat(grpc.acknowledged()).isEqualTo(100);
      assertThat(http.acknowledged()).isEqualTo(100);
      assertThat(openWit.awaitSpanCount(200, Duration.ofMinutes(2))).isEqualTo(200);

      String plain = openWit.tracesEndpoint().replace("https://", "http://");
      assertThatThrownBy(() -> HttpClient.newHttpClient().send(
              HttpRequest.newBuilder(URI.create(plain)).header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
              HttpResponse.BodyHandlers.ofString()))
          .as("plain HTTP to a TLS port").isInstanceOf(IOException.class);
    }
  }
}
