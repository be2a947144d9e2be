package io.openwit.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.common.auth.Authenticator;
import io.openwit.receiver.kafka.KafkaWal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests the receiver must refuse before they reach Kafka. The write-ahead log points at a port
 * where nothing listens: a refused request that wrongly went to Kafka would time out into a 503
 * instead of the status asserted here. That whatever is refused never lands in a table is checked
 * end to end in the cli module's integration tests.
 */
class OtlpReceiverTest {
  private static final long MAX_REQUEST_BYTES = 64 * 1024;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private OtlpReceiver receiver;
  private int jsonHttpPort;

  @BeforeEach
  void start() throws IOException {
    OpenWitConfig defaults = OpenWitConfig.defaults();
    jsonHttpPort = unusedPort();
    OpenWitConfig config = new OpenWitConfig(
        defaults.dataDir(), defaults.listenAddress(), defaults.auth(), defaults.metastore(), defaults.catalog(),
        new OpenWitConfig.Receiver(unusedPort(), jsonHttpPort, unusedPort(), MAX_REQUEST_BYTES, 2_000L,
            null, null, null),
        new OpenWitConfig.Ingestion(new OpenWitConfig.Kafka("127.0.0.1:" + unusedPort(), null, null, null, null, null, null)),
        defaults.pipeline(), defaults.embeddedKafka(), defaults.flink(), defaults.trino(), defaults.query(),
        defaults.limits(),
        defaults.batchTracking(), defaults.cluster(), defaults.maintenance(), defaults.index(), defaults.storage());
    receiver = OtlpReceiver.start(config, new KafkaWal(config), Authenticator.open(), BatchReporter.NONE, Map.of());
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<byte[]> response = post("text/plain", null, "{}".getBytes());
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/x-protobuf");
    assertThat(statusMessage(response.body())).isEqualTo(
        "unsupported Content-Type 'text/plain'; /v1/traces accepts application/x-protobuf and application/json");
  }

  @Test
  void malformedJsonIs400WithAJsonStatus() throws Exception {
    HttpResponse<byte[]> response = post("application/json", null, "{\"resourceSpans\": [".getBytes());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    assertThat(new String(response.body())).startsWith("{").contains("\"code\":3").contains("body is not valid JSON");
  }

  @Test
  void jsonWithANonHexIdIs400NamingTheField() throws Exception {
    String request = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not-hex\",\"spanId\":\"0102030405060708\"}]}]}]}";
    HttpResponse<byte[]> response = post("application/json", null, request.getBytes());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new String(response.body())).contains("traceId 'not-hex' is not a hex string");
  }

  @Test
  void unknownContentEncodingIs415() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", "br", new byte[] {1});
    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(statusMessage(response.body())).contains("unsupported Content-Encoding 'br'");
  }

  @Test
  void bodyThatIsNotAnExportRequestIs400() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", null, new byte[] {(byte) 0xff, 0x01, 0x02});
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(statusMessage(response.body())).startsWith("body is not a valid protobuf ExportTraceServiceRequest");
  }

  @Test
  void brokenGzipIs400() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", "gzip", "not gzip".getBytes());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(statusMessage(response.body())).startsWith("body is declared gzip but is not valid gzip");
  }

  @Test
  void oversizedBodyIs413NamingTheLimit() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", null, new byte[(int) MAX_REQUEST_BYTES + 1]);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(statusMessage(response.body()))
        .isEqualTo("request body exceeds the limit of 65536 bytes (receiver.max_request_bytes)");
  }

  @Test
  void gzipThatInflatesPastTheLimitIs413() throws Exception {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      gzip.write(new byte[(int) MAX_REQUEST_BYTES * 8]);
    }
    HttpResponse<byte[]> response = post("application/x-protobuf", "gzip", compressed.toByteArray());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(statusMessage(response.body())).startsWith("decompressed request body exceeds the limit of 65536 bytes");
  }

  @Test
  void theSeedJsonPortServesTheSamePaths() throws Exception {
    HttpResponse<byte[]> response = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jsonHttpPort + "/v1/logs"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"resourceLogs\": 7}")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new String(response.body())).contains("not a valid OTLP/JSON ExportLogsServiceRequest");
  }

  @Test
  void otherMethodsAndPathsAreNotServed() throws Exception {
    HttpResponse<byte[]> get = http.send(
        HttpRequest.newBuilder(URI.create(endpoint())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(get.statusCode()).isEqualTo(405);
  }

  @Test
  void validRequestIsNotAcknowledgedWhileKafkaIsUnreachable() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", null, new byte[0]);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).hasValue("5");
    assertThat(statusMessage(response.body())).startsWith("could not make the request durable in Kafka");

    HttpResponse<byte[]> json = post("application/json", null, "{}".getBytes());
    assertThat(json.statusCode()).isEqualTo(503);
    assertThat(new String(json.body())).contains("\"code\":14").contains("could not make the request durable");
  }

  private String endpoint() {
    return "http://127.0.0.1:" + receiver.httpPort() + "/v1/traces";
  }

  private HttpResponse<byte[]> post(String contentType, String contentEncoding, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint()))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String statusMessage(byte[] body) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(body);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == 2) {
        return in.readStringRequireUtf8();
      }
      in.skipField(tag);
    }
    throw new AssertionError("error body has no google.rpc.Status message");
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
