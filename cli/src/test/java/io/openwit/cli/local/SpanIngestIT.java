package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole traces path on real engines, per metastore backend: OpenTelemetry SDK → receiver →
 * Kafka → Flink ingest job → Iceberg (REST catalog) → Trino over JDBC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SpanIngestIT {
  private static final int MAX_REQUEST_BYTES = 1024 * 1024;
  private static final List<String> SERVICES = List.of("frontend", "cart", "payments");
  private static final int SPANS_PER_SERVICE = 3_400;

  // OTLP/HTTP exporters speak HTTP/1.1; the JDK client would otherwise try an h2c upgrade
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private OpenWitUnderTest openWit;

  abstract Metastores metastore();

  @BeforeAll
  void start() {
    openWit = OpenWitUnderTest.start(metastore(), Map.of("receiver.max_request_bytes", Integer.toString(MAX_REQUEST_BYTES)));
  }

  @AfterAll
  void stop() throws Exception {
    openWit.close();
  }

  @Test
  @Order(1)
  void badRequestsAreRefusedWithTheirReasonAndWriteNothing() throws Exception {
    HttpResponse<byte[]> wrongType = post("text/plain", null, "hello".getBytes());
    assertThat(wrongType.statusCode()).isEqualTo(415);
    assertThat(statusMessage(wrongType.body()))
        .contains("unsupported Content-Type 'text/plain'").contains("application/x-protobuf");

    HttpResponse<byte[]> notProtobuf = post("application/x-protobuf", null, "{\"resourceSpans\": []}".getBytes());
    assertThat(notProtobuf.statusCode()).isEqualTo(400);
    assertThat(statusMessage(notProtobuf.body())).contains("not a valid protobuf ExportTraceServiceRequest");

    HttpResponse<byte[]> badGzip = post("application/x-protobuf", "gzip", new byte[] {1, 2, 3, 4});
    assertThat(badGzip.statusCode()).isEqualTo(400);
    assertThat(statusMessage(badGzip.body())).contains("not valid gzip");

    HttpResponse<byte[]> tooLarge = post("application/x-protobuf", null, new byte[MAX_REQUEST_BYTES + 1]);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(statusMessage(tooLarge.body()))
        .contains("exceeds the limit of " + MAX_REQUEST_BYTES + " bytes").contains("receiver.max_request_bytes");

    HttpResponse<byte[]> gzipBomb = post("application/x-protobuf", "gzip", gzip(new byte[MAX_REQUEST_BYTES * 4]));
    assertThat(gzipBomb.statusCode()).isEqualTo(413);
    assertThat(statusMessage(gzipBomb.body())).contains("decompressed request body exceeds the limit");

    assertThat(recordsInTracesTopic()).as("records the receiver wrote to Kafka").isZero();
  }

  @Test
  @Order(2)
  void everySpanSentByTheSdkIsQueryableExactlyOnce() throws Exception {
    SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
    SdkSpans.ChosenSpan[] chosen = new SdkSpans.ChosenSpan[1];
    for (String service : SERVICES) {
      sdk.asService(service, tracer -> {
        SdkSpans.simpleSpans(tracer, SPANS_PER_SERVICE);
        if (service.equals("payments")) {
          chosen[0] = SdkSpans.chosenSpan(tracer);
        }
      });
    }
    long sent = SERVICES.size() * SPANS_PER_SERVICE + 2L;
    assertThat(sdk.rejected.get()).as("spans the receiver refused").isZero();
    assertThat(sdk.acknowledged.get()).isEqualTo(sent);

    assertThat(openWit.awaitSpanCount(sent, Duration.ofMinutes(3))).isEqualTo(sent);
    assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM openwit.\"default\".spans")).isEqualTo(sent);

    assertThat(column("SHOW SCHEMAS FROM openwit")).contains("default");
    assertThat(column("SHOW TABLES FROM openwit.\"default\"")).contains("spans");

    Map<String, Long> perService = spansPerService();
    assertThat(perService).containsOnlyKeys(SERVICES);
    assertThat(perService.get("frontend")).isEqualTo(SPANS_PER_SERVICE);
    assertThat(perService.get("payments")).isEqualTo(SPANS_PER_SERVICE + 2L);

    try (Connection connection = openWit.engines.trino.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT name, service_name, kind, attributes['payment.provider'], attributes['payment.amount_cents'],"
                + " duration_ns, parent_span_id, trace_id FROM openwit.\"default\".spans WHERE span_id = ?")) {
      query.setString(1, chosen[0].spanId());
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).as("the chosen span is in the table").isTrue();
        assertThat(row.getString(1)).isEqualTo(chosen[0].name());
        assertThat(row.getString(2)).isEqualTo("payments");
        assertThat(row.getString(3)).isEqualTo("CLIENT");
        assertThat(row.getString(4)).isEqualTo("acme-pay");
        assertThat(row.getString(5)).isEqualTo("4999");
        assertThat(row.getLong(6)).isEqualTo(chosen[0].durationNanos());
        assertThat(row.getString(7)).isEqualTo(chosen[0].parentSpanId());
        assertThat(row.getString(8)).isEqualTo(chosen[0].traceId());
        assertThat(row.next()).isFalse();
      }
    }
  }

  private List<String> column(String sql) throws Exception {
    try (Connection connection = openWit.engines.trino.connect();
        ResultSet rows = connection.createStatement().executeQuery(sql)) {
      List<String> values = new java.util.ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }

  private Map<String, Long> spansPerService() throws Exception {
    try (Connection connection = openWit.engines.trino.connect();
        ResultSet rows = connection.createStatement().executeQuery(
            "SELECT service_name, count(*) FROM openwit.\"default\".spans GROUP BY service_name")) {
      Map<String, Long> counts = new java.util.HashMap<>();
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
      return counts;
    }
  }

  private HttpResponse<byte[]> post(String contentType, String contentEncoding, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(openWit.tracesEndpoint()))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The message field of a google.rpc.Status body. */
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

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }

  private long recordsInTracesTopic() throws Exception {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, openWit.engines.kafka.bootstrapServers());
    String topic = openWit.config.ingestion().kafka().topics().traces();
    try (Admin admin = Admin.create(properties)) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = partitions.stream()
          .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(info -> info.offset()).sum();
    }
  }
}
