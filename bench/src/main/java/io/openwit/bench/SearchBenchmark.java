package io.openwit.bench;

import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Full-text search on a running single-node OpenWit: optionally loads {@code --load} generated log
 * lines over OTLP/HTTP, waits until the index covers every row of the tenant's logs table (the
 * rows/s and Parquet MB/s of that wait are the index build throughput when the index job starts
 * on an unindexed table), reports the index size against the Parquet data under
 * {@code --data-dir}, then the latency (p50, p99) of each query through the search API against a
 * {@code LIKE '%word%'} scan in Trino returning the same newest rows, and the same rows in Trino
 * through the index ({@code search.system.logs}, the openwit_search table function).
 */
@Command(name = "search-benchmark", mixinStandardHelpOptions = true)
public final class SearchBenchmark implements Callable<Integer> {
  private static final String[] SERVICES = {"web", "checkout", "auth", "billing"};
  private static final String[] WORDS = {"timeout", "declined", "refused", "denied", "expired"};

  @Option(names = "--load", defaultValue = "0", description = "log lines to send first")
  long load;

  @Option(names = "--lines-per-request", defaultValue = "2000")
  int linesPerRequest;

  @Option(names = "--concurrency", defaultValue = "4")
  int concurrency;

  @Option(names = "--searches", defaultValue = "20", description = "runs of each query")
  int searches;

  @Option(names = "--http-endpoint", defaultValue = "http://127.0.0.1:4318/v1/logs")
  String httpEndpoint;

  @Option(names = "--api", defaultValue = "http://127.0.0.1:8083")
  String api;

  @Option(names = "--trino", defaultValue = "jdbc:trino://127.0.0.1:8080")
  String trino;

  @Option(names = "--tenant", defaultValue = "default")
  String tenant;

  @Option(names = "--data-dir", defaultValue = "./data")
  Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SearchBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (Connection connection = DriverManager.getConnection(trino, "bench", null)) {
      String table = "openwit.\"" + tenant + "\".logs";
      if (load > 0) {
        long before = count(connection, table);
        long started = System.nanoTime();
        send();
        double acked = (System.nanoTime() - started) / 1e9;
        while (count(connection, table) < before + load) {
          Thread.sleep(500);
        }
        double stored = (System.nanoTime() - started) / 1e9;
        System.out.printf("load: %,d lines acknowledged in %.1f s, queryable in Trino after %.1f s (%,.0f lines/s)%n",
            load, acked, stored, load / stored);
      }
      long rows = count(connection, table);
      long started = System.nanoTime();
      long indexed;
      while ((indexed = total("*")) < rows) {
        Thread.sleep(500);
      }
      double waited = (System.nanoTime() - started) / 1e9;
      Path tableDir = dataDir.resolve("warehouse").resolve(tenant).resolve("logs");
      long parquetBytes = size(tableDir.resolve("data"));
      long indexBytes = size(tableDir.resolve("index"));
      System.out.printf("index: covers %,d rows after waiting %.1f s (%,.0f rows/s, %.1f MB/s of Parquet while waiting)%n",
          indexed, waited, rows / Math.max(waited, 0.001), parquetBytes / 1e6 / Math.max(waited, 0.001));
      System.out.printf("size: Parquet %.1f MB, index %.1f MB = %.1f%% of the data%n",
          parquetBytes / 1e6, indexBytes / 1e6, 100.0 * indexBytes / parquetBytes);

      System.out.printf("%-28s %10s %12s %12s %12s %12s %12s %12s%n", "query (newest 20 rows)", "matches",
          "api p50 ms", "api p99 ms", "SQL fn p50", "SQL fn p99", "LIKE p50 ms", "LIKE p99 ms");
      for (String word : WORDS) {
        List<Long> apiNanos = new ArrayList<>();
        List<Long> functionNanos = new ArrayList<>();
        List<Long> likeNanos = new ArrayList<>();
        long matches = 0;
        for (int i = 0; i < searches; i++) {
          long before = System.nanoTime();
          matches = total(word);
          apiNanos.add(System.nanoTime() - before);
          // the same rows through Trino, driven by the index (the openwit_search table function)
          functionNanos.add(timeRows(connection, "SELECT * FROM TABLE(search.system.logs(query => '" + word
              + "', max_hits => 20))"));
          likeNanos.add(timeRows(connection, "SELECT * FROM " + table + " WHERE lower(body) LIKE '%" + word
              + "%' ORDER BY time DESC LIMIT 20"));
        }
        System.out.printf("%-28s %,10d %12.1f %12.1f %12.1f %12.1f %12.1f %12.1f%n", word, matches,
            Latencies.percentileMs(apiNanos, 50), Latencies.percentileMs(apiNanos, 99), Latencies.percentileMs(functionNanos, 50),
            Latencies.percentileMs(functionNanos, 99), Latencies.percentileMs(likeNanos, 50), Latencies.percentileMs(likeNanos, 99));
      }
    }
    return 0;
  }

  /** Nanoseconds to run {@code sql} and read every row's body. */
  private static long timeRows(Connection connection, String sql) throws Exception {
    long before = System.nanoTime();
    try (ResultSet result = connection.createStatement().executeQuery(sql)) {
      while (result.next()) {
        result.getString("body");
      }
    }
    return System.nanoTime() - before;
  }

  /** Total matches of {@code query}, fetching the newest 20 rows as a log view would. */
  private long total(String query) throws IOException, InterruptedException {
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/search?limit=20&query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("search '" + query + "': HTTP " + answer.statusCode() + " " + answer.body());
    }
    Matcher total = Pattern.compile("\"total_hits\":(\\d+)").matcher(answer.body());
    if (!total.find()) {
      throw new IllegalStateException("no total_hits in " + answer.body());
    }
    return Long.parseLong(total.group(1));
  }

  private void send() throws Exception {
    int requests = Math.toIntExact((load + linesPerRequest - 1) / linesPerRequest);
    AtomicLong next = new AtomicLong();
    ExecutorService senders = Executors.newFixedThreadPool(concurrency);
    List<Future<?>> running = new ArrayList<>();
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < concurrency; i++) {
      running.add(senders.submit(() -> {
        for (long number; (number = next.getAndIncrement()) < requests; ) {
          long first = number * linesPerRequest;
          byte[] body = request(first, (int) Math.min(linesPerRequest, load - first), now).toByteArray();
          while (http.send(HttpRequest.newBuilder(URI.create(httpEndpoint))
              .header("Content-Type", "application/x-protobuf")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            Thread.sleep(100);
          }
        }
        return null;
      }));
    }
    for (Future<?> sender : running) {
      sender.get();
    }
    senders.shutdown();
  }

  /** Lines {@code first}.. of a corpus of access, application and audit logs spread over the last day. */
  private static ExportLogsServiceRequest request(long first, int lines, long nowNanos) {
    SplittableRandom random = new SplittableRandom(first);
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < lines; i++) {
      int kind = random.nextInt(10);
      String body = switch (kind) {
        case 0, 1, 2, 3 -> "GET /api/orders/" + random.nextInt(100_000) + " 200 " + random.nextInt(500) + "ms client=10.0."
            + random.nextInt(256) + "." + random.nextInt(256);
        case 4 -> "connection refused by db-" + random.nextInt(4) + " after " + random.nextInt(3000) + "ms";
        case 5 -> "request timeout while calling inventory service, attempt " + random.nextInt(5);
        case 6 -> "payment declined for order " + random.nextInt(100_000) + ": card expired";
        case 7 -> "cache miss key=session:" + random.nextInt(100_000);
        case 8 -> "audit user=u-" + random.nextInt(1000) + " action=export resource=invoice/" + random.nextInt(1000)
            + " result=" + (random.nextInt(50) == 0 ? "denied" : "allowed");
        default -> "payment accepted for order " + random.nextInt(100_000) + " in " + random.nextInt(900) + "ms";
      };
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(nowNanos - random.nextLong(86_400_000_000_000L))
          .setSeverityNumber(kind == 4 || kind == 6 ? SeverityNumber.SEVERITY_NUMBER_ERROR
              : SeverityNumber.SEVERITY_NUMBER_INFO)
          .setSeverityText(kind == 4 || kind == 6 ? "ERROR" : "INFO")
          .setBody(AnyValue.newBuilder().setStringValue(body))
          .addAttributes(attribute("user.id", "u-" + random.nextInt(1000))));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attribute("service.name",
            SERVICES[(int) (first / 2000 % SERVICES.length)])))
        .addScopeLogs(scope)).build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static long count(Connection connection, String table) throws Exception {
    try (ResultSet result = connection.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("does not exist")) {
        return 0;
      }
      throw e;
    }
  }

  private static long size(Path folder) {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
