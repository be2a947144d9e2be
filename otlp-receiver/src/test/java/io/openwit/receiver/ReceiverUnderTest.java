package io.openwit.receiver;

import com.google.protobuf.CodedInputStream;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import io.openwit.common.auth.Authenticator;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.BatchReporter;
import io.openwit.receiver.kafka.KafkaWal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;

/** A receiver writing to the test broker, on topics of its own, with the settings a test needs. */
final class ReceiverUnderTest implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final OpenWitConfig config;
  final OtlpReceiver receiver;
  final OpenWitConfig.Topics topics;

  private ReceiverUnderTest(OpenWitConfig config, OtlpReceiver receiver) {
    this.config = config;
    this.receiver = receiver;
    this.topics = config.ingestion().kafka().topics();
  }

  /** Settings a test may change; the rest are the defaults. */
  record Settings(long maxRequestBytes, long kafkaAckTimeoutMs, long maxInFlightBytes, OpenWitConfig.Limits limits,
      OpenWitConfig.Topics topics) {
    static Settings defaults() {
      OpenWitConfig.Receiver receiver = OpenWitConfig.defaults().receiver();
      return new Settings(receiver.maxRequestBytes(), receiver.kafkaAckTimeoutMs(), receiver.maxInFlightBytes(),
          OpenWitConfig.defaults().limits(), uniqueTopics());
    }

    Settings withKafkaAckTimeoutMs(long ms) {
      return new Settings(maxRequestBytes, ms, maxInFlightBytes, limits, topics);
    }

    Settings withMaxInFlightBytes(long bytes) {
      return new Settings(maxRequestBytes, kafkaAckTimeoutMs, bytes, limits, topics);
    }

    Settings withMaxItemsPerRequest(long items) {
      return new Settings(maxRequestBytes, kafkaAckTimeoutMs, maxInFlightBytes, new OpenWitConfig.Limits(
          limits.defaults(), limits.tenants(), items, limits.maxAttributes(), limits.maxAttributeValueBytes(),
          limits.maxNestingDepth()), topics);
    }
  }

  static OpenWitConfig.Topics uniqueTopics() {
    return new OpenWitConfig.Topics(TestKafka.uniqueTopic("traces"), TestKafka.uniqueTopic("logs"),
        TestKafka.uniqueTopic("metrics"), null);
  }

  static ReceiverUnderTest start(Settings settings) throws IOException {
    return start(settings, TestKafka.bootstrapServers());
  }

  static ReceiverUnderTest start(Settings settings, String bootstrapServers) throws IOException {
    OpenWitConfig defaults = OpenWitConfig.defaults();
    OpenWitConfig config = new OpenWitConfig(
        defaults.dataDir(), defaults.listenAddress(), defaults.auth(), defaults.metastore(), defaults.catalog(),
        new OpenWitConfig.Receiver(TestKafka.unusedPort(), TestKafka.unusedPort(), TestKafka.unusedPort(),
            settings.maxRequestBytes(), settings.kafkaAckTimeoutMs(), settings.maxInFlightBytes(), null, null),
        new OpenWitConfig.Ingestion(new OpenWitConfig.Kafka(
            bootstrapServers, settings.topics(), null, null, null, null, null)),
        defaults.pipeline(), defaults.embeddedKafka(), defaults.flink(), defaults.trino(), defaults.query(),
        settings.limits(), defaults.batchTracking(), defaults.cluster(), defaults.maintenance(), defaults.index(),
        defaults.storage());
    KafkaWal wal = new KafkaWal(config);
    wal.ensureTopics(1);
    return new ReceiverUnderTest(config, OtlpReceiver.start(config, wal, Authenticator.open(), BatchReporter.NONE, Map.of()));
  }

  HttpResponse<byte[]> post(String path, String contentType, String contentEncoding, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + receiver.httpPort() + path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> postProtobuf(String path, byte[] body) throws IOException, InterruptedException {
    return post(path, "application/x-protobuf", null, body);
  }

  /** A unary gRPC call with {@code request} as its one message, over HTTP/2. */
  AggregatedHttpResponse grpcExport(String service, byte[] request) {
    return patientClient(SessionProtocol.H2C, receiver.grpcPort()).execute(grpcHeaders(service), grpcFramed(request))
        .aggregate().join();
  }

  /** A client of the receiver's {@code port} that waits as long as the receiver takes to answer. */
  static WebClient patientClient(SessionProtocol protocol, int port) {
    return WebClient.builder(protocol, Endpoint.of("127.0.0.1", port)).maxResponseLength(0).responseTimeoutMillis(0)
        .build();
  }

  /** The headers of an OTLP/gRPC export call to {@code service}. */
  static RequestHeaders grpcHeaders(String service) {
    return RequestHeaders.of(HttpMethod.POST, "/" + service + "/Export",
        HttpHeaderNames.CONTENT_TYPE, "application/grpc", HttpHeaderNames.TE, "trailers");
  }

  /** {@code message} as the body of a unary gRPC call: uncompressed, length-prefixed. */
  static byte[] grpcFramed(byte[] message) {
    byte[] framed = new byte[5 + message.length];
    ByteBuffer.wrap(framed, 1, 4).putInt(message.length);
    System.arraycopy(message, 0, framed, 5, message.length);
    return framed;
  }

  /** A gRPC status header: in the trailers, or in the headers of a trailers-only answer. */
  static String grpcHeader(AggregatedHttpResponse response, String name) {
    String value = response.trailers().get(name);
    return value != null ? value : response.headers().get(name);
  }

  /** The message of a google.rpc.Status error body. */
  static String statusMessage(byte[] body) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(body);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == 2) {
        return in.readStringRequireUtf8();
      }
      in.skipField(tag);
    }
    throw new AssertionError("error body has no google.rpc.Status message");
  }

  @Override
  public void close() {
    receiver.close();
  }
}
