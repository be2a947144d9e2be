package io.openwit.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Sends OTLP trace requests of {@code --spans-per-request} unique spans to a running OpenWit over
 * OTLP/HTTP or OTLP/gRPC (HTTP/2 with gRPC framing), from {@code --concurrency} connections, and
 * reports: spans/s acknowledged by the receiver (each ack means Kafka has the data), spans/s until
 * Trino counts them all (end to end into Iceberg), and CPU and resident memory of the OpenWit and
 * Trino processes over the run, read from /proc.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true)
public final class IngestBenchmark implements Callable<Integer> {
  @Option(names = "--transport", defaultValue = "http", description = "http or grpc")
  String transport;

  @Option(names = "--requests", defaultValue = "400")
  int requests;

  @Option(names = "--spans-per-request", defaultValue = "512")
  int spansPerRequest;

  @Option(names = "--concurrency", defaultValue = "8")
  int concurrency;

  @Option(names = "--http-endpoint", defaultValue = "http://127.0.0.1:4318/v1/traces")
  String httpEndpoint;

  @Option(names = "--grpc-endpoint", defaultValue = "http://127.0.0.1:4317")
  String grpcEndpoint;

  @Option(names = "--trino", defaultValue = "jdbc:trino://127.0.0.1:8080")
  String trinoUrl;

  @Option(names = "--tenant", defaultValue = "default")
  String tenant;

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf("building %d requests of %d spans...%n", requests, spansPerRequest);
    ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < requests; i++) {
      queue.add(request(i).toByteArray());
    }
    long spans = (long) requests * spansPerRequest;
    long before = count();
    HttpClient client = HttpClient.newBuilder()
        .version(transport.equals("grpc") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .build();
    Usage startUsage = Usage.now();
    AtomicLong failures = new AtomicLong();
    long start = System.nanoTime();
    ExecutorService senders = Executors.newFixedThreadPool(concurrency);
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      running.add(senders.submit(() -> {
        for (byte[] body; (body = queue.poll()) != null; ) {
          while (!send(client, body)) {
            failures.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> sender : running) {
      sender.get();
    }
    senders.shutdown();
    double ackedSeconds = (System.nanoTime() - start) / 1e9;
    Usage ackedUsage = Usage.now();
    while (count() < before + spans) {
      Thread.sleep(200);
    }
    double stored = (System.nanoTime() - start) / 1e9;
    Usage endUsage = Usage.now();

    System.out.printf("transport=%s requests=%d spans/request=%d concurrency=%d retried=%d%n",
        transport, requests, spansPerRequest, concurrency, failures.get());
    System.out.printf("receiver: %,d spans acknowledged in %.1f s = %,.0f spans/s%n", spans, ackedSeconds, spans / ackedSeconds);
    System.out.printf("end to end: queryable in Trino after %.1f s = %,.0f spans/s%n", stored, spans / stored);
    startUsage.report("while sending", ackedUsage, ackedSeconds);
    startUsage.report("whole run", endUsage, stored);
    return 0;
  }

  private boolean send(HttpClient client, byte[] body) throws Exception {
    HttpRequest.Builder request;
    if (transport.equals("grpc")) {
      // gRPC framing: 1 byte compression flag, 4 bytes length, the message.
      ByteBuffer frame = ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(body.length).put(body);
      request = HttpRequest.newBuilder(URI.create(grpcEndpoint + "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
          .header("Content-Type", "application/grpc")
          .header("TE", "trailers")
          .POST(HttpRequest.BodyPublishers.ofByteArray(frame.array()));
    } else {
      request = HttpRequest.newBuilder(URI.create(httpEndpoint))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
    HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (transport.equals("grpc")) {
      Optional<String> status = response.headers().firstValue("grpc-status");
      return response.statusCode() == 200 && status.map("0"::equals).orElse(true);
    }
    return response.statusCode() == 200;
  }

  private ExportTraceServiceRequest request(int number) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < spansPerRequest; i++) {
      byte[] traceId = new byte[16];
      byte[] spanId = new byte[8];
      random.nextBytes(traceId);
      random.nextBytes(spanId);
      spanId[0] |= 1;
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(spanId))
          .setName("GET /api/items/" + (i % 50))
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(now + i)
          .setEndTimeUnixNano(now + i + random.nextLong(100_000, 50_000_000))
          .addAttributes(attribute("http.request.method", "GET"))
          .addAttributes(attribute("http.route", "/api/items/{id}"))
          .addAttributes(attribute("request.number", Integer.toString(number))));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(attribute("service.name", "bench-" + (number % 4)))
                .addAttributes(attribute("host.name", "bench-host")))
            .addScopeSpans(scope))
        .build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private long count() throws Exception {
    try (Connection connection = DriverManager.getConnection(trinoUrl, "bench", null);
        ResultSet rows = connection.createStatement()
            .executeQuery("SELECT count(*) FROM openwit.\"" + tenant + "\".spans")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** CPU ticks and resident memory of the OpenWit and Trino processes, from /proc. */
  private record Usage(long openwitTicks, long trinoTicks, long openwitRssKb, long trinoRssKb) {
    static Usage now() throws Exception {
      Optional<ProcessHandle> openwit = find("io.openwit.cli.OpenWit");
      Optional<ProcessHandle> trino = find("io.trino.server.TrinoServer");
      return new Usage(ticks(openwit), ticks(trino), rss(openwit), rss(trino));
    }

    void report(String phase, Usage end, double seconds) {
      double hz = 100.0;
      System.out.printf("%s: openwit %.0f%% CPU, %,d MB RSS at end; trino %.0f%% CPU, %,d MB RSS at end%n", phase,
          100 * (end.openwitTicks - openwitTicks) / hz / seconds, end.openwitRssKb / 1024,
          100 * (end.trinoTicks - trinoTicks) / hz / seconds, end.trinoRssKb / 1024);
    }

    /** Reads /proc/<pid>/cmdline itself: the JDK's view of other processes' arguments can be cut short. */
    private static Optional<ProcessHandle> find(String mainClass) {
      return ProcessHandle.allProcesses()
          .filter(process -> {
            try {
              return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).contains(mainClass);
            } catch (IOException | UncheckedIOException | SecurityException gone) {
              return false;
            }
          })
          .findFirst();
    }

    private static long ticks(Optional<ProcessHandle> process) throws Exception {
      if (process.isEmpty()) {
        return 0;
      }
      String stat = Files.readString(Path.of("/proc", Long.toString(process.get().pid()), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long rss(Optional<ProcessHandle> process) throws Exception {
      if (process.isEmpty()) {
        return 0;
      }
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.get().pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      return 0;
    }
  }
}
