package io.openwit.pipeline.decode;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.openwit.common.otlp.OtlpCodec;
import io.openwit.common.schema.TableSchemas;
import io.openwit.common.wire.Signal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.table.data.RowData;

/**
 * Not a test: a timed loop measuring the ingest job's decode cost per 1,000-span request, the way it
 * was (RecordRouter parsed the value to check it, then the sink's generator parsed it again into rows)
 * and the way it is (BatchDecoder parses it once into rows and checks each against the table's schema).
 * Run: {@code java -cp <test classpath> io.openwit.pipeline.decode.DecodeCost [rounds]}.
 */
public final class DecodeCost {
  private static final OtlpCodec CODEC = OtlpCodec.of(Signal.TRACES);
  private static final RowSchemaCheck SPANS_TABLE = new RowSchemaCheck(TableSchemas.SPANS_SCHEMA);
  private static final int CALLS_PER_SAMPLE = 20;
  private static long sink;

  private DecodeCost() {}

  /** One way of decoding a request; returns something derived from its rows, so nothing is optimized away. */
  private interface Way {
    long decode(byte[] request) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    byte[] request = request(1_000);
    System.out.printf("request: 1000 spans, %d bytes of OTLP protobuf%n", request.length);
    String[] names = {"before: parse to check + parse into rows", "after: parse once into rows + schema check",
        "after, without the schema check"};
    Way[] ways = {DecodeCost::before, DecodeCost::after, DecodeCost::afterWithoutCheck};
    List<List<Double>> micros = new ArrayList<>();
    for (int way = 0; way < ways.length; way++) {
      micros.add(new ArrayList<>());
      sample(ways[way], request, 200); // warm-up
    }
    // the ways take turns, so a neighbour's load on the shared machine weighs on each alike
    for (int round = 0; round < rounds; round++) {
      for (int way = 0; way < ways.length; way++) {
        for (int i = 0; i < 5; i++) {
          micros.get(way).add(sample(ways[way], request, CALLS_PER_SAMPLE));
        }
      }
    }
    for (int way = 0; way < ways.length; way++) {
      double[] sorted = micros.get(way).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf("%-45s median %8.0f us  p10 %8.0f us  p90 %8.0f us per request (%d samples of %d)%n",
          names[way], sorted[sorted.length / 2], sorted[sorted.length / 10], sorted[sorted.length * 9 / 10],
          sorted.length, CALLS_PER_SAMPLE);
    }
    System.out.println(sink == 42 ? "" : "(done)");
  }

  /** Microseconds per call, averaged over {@code calls} calls. */
  private static double sample(Way way, byte[] request, int calls) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink += way.decode(request);
    }
    return (System.nanoTime() - start) / 1_000.0 / calls;
  }

  private static long before(byte[] request) throws Exception {
    CODEC.parseProtobuf(request); // RecordRouter's check
    long[] rows = {0};
    SpanRows.decode(request, row -> rows[0] += row.getArity()); // TelemetryRecordGenerator
    return rows[0];
  }

  /** As BatchDecoder does it: each row checked as it is made. */
  private static long after(byte[] request) throws Exception {
    List<RowData> rows = new ArrayList<>();
    TelemetryRows.decode(Signal.TRACES, CODEC.parseProtobuf(request), row -> {
      if (SPANS_TABLE.refusal(row) != null) {
        throw new AssertionError("refused");
      }
      rows.add(row);
    });
    return rows.size();
  }

  private static long afterWithoutCheck(byte[] request) throws Exception {
    List<RowData> rows = new ArrayList<>();
    TelemetryRows.decode(Signal.TRACES, CODEC.parseProtobuf(request), rows::add);
    return rows.size();
  }

  /** Spans like an instrumented HTTP service's: ten attributes each, one event in ten. */
  private static byte[] request(int spans) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    scope.getScopeBuilder().setName("io.opentelemetry.servlet").setVersion("2.1.0");
    for (int i = 0; i < spans; i++) {
      byte[] traceId = new byte[16];
      byte[] spanId = new byte[8];
      random.nextBytes(traceId);
      random.nextBytes(spanId);
      long start = 1_700_000_000_000_000_000L + i * 1_000_000L;
      Span.Builder span = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
          .setParentSpanId(ByteString.copyFrom(Arrays.copyOf(spanId, 8)))
          .setName("GET /api/cart/" + (i % 20)).setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(start).setEndTimeUnixNano(start + random.nextLong(1_000_000, 50_000_000));
      span.addAttributes(string("http.request.method", "GET"));
      span.addAttributes(string("url.path", "/api/cart/" + (i % 20)));
      span.addAttributes(string("url.scheme", "https"));
      span.addAttributes(string("server.address", "cart.internal"));
      span.addAttributes(string("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"));
      span.addAttributes(string("network.protocol.version", "1.1"));
      span.addAttributes(integer("http.response.status_code", 200));
      span.addAttributes(integer("server.port", 8080));
      span.addAttributes(integer("http.request.body.size", random.nextInt(10_000)));
      span.addAttributes(string("client.address", "10.0.0." + (i % 250)));
      if (i % 10 == 0) {
        span.addEventsBuilder().setName("cache miss").setTimeUnixNano(start + 1_000).addAttributes(string("key", "c" + i));
      }
      scope.addSpans(span);
    }
    Resource resource = Resource.newBuilder()
        .addAttributes(string("service.name", "cart"))
        .addAttributes(string("service.version", "1.4.2"))
        .addAttributes(string("host.name", "cart-7d9f"))
        .addAttributes(string("telemetry.sdk.language", "java"))
        .addAttributes(string("telemetry.sdk.version", "1.44.1"))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope))
        .build().toByteArray();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }
}
