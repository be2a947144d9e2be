package io.openwit.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trace-by-id latency on a running OpenWit: {@code --lookups} random trace ids of the tenant's
 * spans table, each fetched through the query API and through Trino SQL; reports p50 and p99 and
 * checks that both return the same number of spans.
 */
@Command(name = "trace-lookup-benchmark", mixinStandardHelpOptions = true)
public final class TraceLookupBenchmark implements Callable<Integer> {
  @Option(names = "--lookups", defaultValue = "50")
  int lookups;

  @Option(names = "--api", defaultValue = "http://127.0.0.1:8083")
  String api;

  @Option(names = "--trino", defaultValue = "jdbc:trino://127.0.0.1:8080")
  String trino;

  @Option(names = "--tenant", defaultValue = "default")
  String tenant;

  @Option(names = "--api-key", description = "when the API needs one")
  String apiKey;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TraceLookupBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    try (Connection connection = DriverManager.getConnection(trino, "bench", null)) {
      String table = "openwit.\"" + tenant + "\".spans";
      long rows = count(connection, "SELECT count(*) FROM " + table);
      List<String> traceIds = new ArrayList<>();
      try (ResultSet sample = connection.createStatement().executeQuery(
          "SELECT trace_id FROM " + table + " ORDER BY rand() LIMIT " + lookups)) {
        while (sample.next()) {
          traceIds.add(sample.getString(1));
        }
      }
      List<Long> apiNanos = new ArrayList<>();
      List<Long> trinoNanos = new ArrayList<>();
      try (PreparedStatement bySql = connection.prepareStatement("SELECT * FROM " + table + " WHERE trace_id = ?")) {
        for (String traceId : traceIds) {
          long started = System.nanoTime();
          HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/api/v1/traces/" + traceId));
          if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
          }
          HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          apiNanos.add(System.nanoTime() - started);
          if (answer.statusCode() != 200) {
            throw new IllegalStateException("trace " + traceId + ": HTTP " + answer.statusCode() + " " + answer.body());
          }
          started = System.nanoTime();
          bySql.setString(1, traceId);
          int spans = 0;
          try (ResultSet result = bySql.executeQuery()) {
            while (result.next()) {
              spans++;
            }
          }
          trinoNanos.add(System.nanoTime() - started);
          if (!answer.body().contains("\"span_count\":" + spans + ",")) {
            throw new IllegalStateException("trace " + traceId + ": Trino finds " + spans + " spans, the API "
                + answer.body().substring(0, Math.min(120, answer.body().length())));
          }
        }
      }
      System.out.printf("%,d spans in %s; %d lookups of random trace ids%n", rows, table, traceIds.size());
      System.out.printf("query API  GET /api/v1/traces/{id}: p50 %.1f ms, p99 %.1f ms%n",
          Latencies.percentileMs(apiNanos, 50), Latencies.percentileMs(apiNanos, 99));
      System.out.printf("Trino SQL  WHERE trace_id = ?:      p50 %.1f ms, p99 %.1f ms%n",
          Latencies.percentileMs(trinoNanos, 50), Latencies.percentileMs(trinoNanos, 99));
    }
    return 0;
  }

  private static long count(Connection connection, String sql) throws Exception {
    try (ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
