package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.query.api.QueryApiServer;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;

/**
 * Full-text search end to end on a PostgreSQL metastore: a generated corpus of server, application
 * and audit logs goes in through the SDK, the index job indexes it (and is restarted mid-stream),
 * and every search returns exactly the rows Trino returns for the equivalent SQL predicate, before
 * and after the janitor compacts the table under the index; the Arrow answer, search_after pages
 * and the Trino table function return the same rows. A tenant's key never finds another tenant's
 * rows.
 */
class SearchIT {
  private static final long KEY_REFRESH_MS = 300;
  private static final long SEED = 42;
  private static final int WAVE = 1_500;

  /** Lucene query → the SQL predicate that selects the same rows. */
  private static final Map<String, String> EQUIVALENT = Map.ofEntries(
      Map.entry("timeout", "regexp_like(body, '(?i)\\btimeout\\b')"),
      Map.entry("\"connection refused\"", "regexp_like(body, '(?i)\\bconnection refused\\b')"),
      Map.entry("severity_text:ERROR", "severity_text = 'ERROR'"),
      Map.entry("service_name:checkout AND payment", "service_name = 'checkout' AND regexp_like(body, '(?i)\\bpayment\\b')"),
      Map.entry("(declined OR refused) NOT service_name:web",
          "regexp_like(body, '(?i)\\b(declined|refused)\\b') AND service_name <> 'web'"),
      Map.entry("attributes.user.id:u-17", "attributes['user.id'] = 'u-17'"),
      Map.entry("refus*", "regexp_like(body, '(?i)\\brefus')"),
      Map.entry("severity_number:[13 TO 24]", "severity_number BETWEEN 13 AND 24"),
      Map.entry("audit AND denied", "regexp_like(body, '(?i)\\baudit\\b') AND regexp_like(body, '(?i)\\bdenied\\b')"),
      Map.entry("body.keyword:\"request timeout while calling inventory service, attempt 3\"",
          "body = 'request timeout while calling inventory service, attempt 3'"));

  @Test
  void searchesReturnWhatSqlReturnsAcrossRestartsAndCompactionAndOnlyForTheirTenant() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.POSTGRESQL, Map.of(
        "auth.enabled", "true",
        "auth.key_refresh_ms", Long.toString(KEY_REFRESH_MS),
        "index.poll_interval_ms", "500",
        "index.merge_min_segments", "2",
        "maintenance.min_input_files", "2",
        "maintenance.orphan_min_age_ms", "86400000"))) {
      Metastore metastore = new Metastore(openWit.metastoreUrl, openWit.metastore.user(), "");
      String acmeKey = metastore.createTenant("acme").key();
      String globexKey = metastore.createTenant("globex").key();
      Thread.sleep(3 * KEY_REFRESH_MS);
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

      openWit.startIndexJob();
      assertThat(send(openWit, acmeKey, 0, WAVE, now)).isEqualTo(WAVE);
      openWit.awaitCount("SELECT count(*) FROM openwit.acme.logs", WAVE, Duration.ofMinutes(2));
      // the index job goes down while the second wave is written, and comes back mid-stream
      openWit.cancelIndexJob();
      assertThat(send(openWit, acmeKey, WAVE, WAVE / 2, now)).isEqualTo(WAVE / 2);
      openWit.startIndexJob();
      assertThat(send(openWit, acmeKey, WAVE + WAVE / 2, WAVE / 2, now)).isEqualTo(WAVE / 2);
      assertThat(send(openWit, globexKey, 1_000_000, 200, now)).isEqualTo(200);
      long rows = openWit.awaitCount("SELECT count(*) FROM openwit.acme.logs", 2L * WAVE, Duration.ofMinutes(2));
      assertThat(rows).isEqualTo(2L * WAVE);

      String api = "http://localhost:" + openWit.queryApi.port() + "/api/v1/search";
      awaitIndexed(api, acmeKey, rows);
      awaitOneSegment(metastore);
      assertNoFileIndexedTwice(metastore, "acme");
      assertSearchesMatchSql(openWit, api, acmeKey);
      assertArrowAnswersTheSameRows(api, acmeKey, "timeout");
      assertPagesCoverEveryMatchOnce(openWit, api, acmeKey);
      assertSqlTableFunctionMatchesSql(openWit);

      // newest first, limited, every column of the row
      JsonNode newest = search(api, acmeKey, "timeout", 5);
      List<JsonNode> hits = HttpApi.elements(newest.path("hits"));
      assertThat(hits).hasSize(5);
      List<Instant> times = hits.stream().map(hit -> Instant.parse(hit.path("time").asText())).toList();
      assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
      assertThat(times.get(0)).isEqualTo(newestSqlTime(openWit, "regexp_like(body, '(?i)\\btimeout\\b')"));
      for (JsonNode hit : hits) {
        assertThat(rowText(hit)).isEqualTo(sqlRowText(openWit, hit.path("attributes").path("seq").asText()));
      }

      // a POST with a time range, and the histogram over the same range
      // 30 minutes on 5-minute boundaries: six whole buckets
      Instant from = Instant.ofEpochSecond((now.getEpochSecond() - 2_400) / 300 * 300);
      Instant to = from.plus(30, ChronoUnit.MINUTES);
      HttpApi.Answer ranged = HttpApi.call(api, acmeKey, "{\"query\": \"payment\", \"start\": \"" + from
          + "\", \"end\": \"" + to + "\", \"limit\": 10000}");
      assertThat(ranged.status()).as(ranged.body()).isEqualTo(200);
      String rangeSql = "regexp_like(body, '(?i)\\bpayment\\b') AND time >= from_iso8601_timestamp('" + from
          + "') AND time < from_iso8601_timestamp('" + to + "')";
      assertThat(seqs(ranged.json())).isEqualTo(sqlSeqs(openWit, rangeSql));
      HttpApi.Answer histogram = HttpApi.call(api + "/histogram?query=payment&interval=5m&start=" + from + "&end=" + to,
          acmeKey, null);
      assertThat(histogram.status()).as(histogram.body()).isEqualTo(200);
      Map<Instant, Long> buckets = new HashMap<>();
      histogram.json().path("buckets").forEach(bucket ->
          buckets.put(Instant.parse(bucket.path("start").asText()), bucket.path("count").asLong()));
      assertThat(buckets).hasSize(6);
      assertThat(buckets).isEqualTo(sqlBuckets(openWit, rangeSql, from));

      // compaction rewrites the table's files under the index: the index follows
      HttpApi.Run maintenance = HttpApi.cli("maintenance", "run", "--catalog", openWit.config.catalogUri(),
          "--api-key", ServiceCredential.resolve(openWit.config));
      assertThat(maintenance.exitCode()).as(maintenance.out() + maintenance.err()).isZero();
      assertThat(maintenance.out()).contains("\"files_compacted\"");
      awaitIndexMatchesTable(openWit, metastore);
      awaitIndexed(api, acmeKey, rows);
      assertNoFileIndexedTwice(metastore, "acme");
      assertSearchesMatchSql(openWit, api, acmeKey);

      // tenants: each key finds only its own rows
      assertThat(search(api, globexKey, "*", 10_000).path("total_hits").asLong()).isEqualTo(200);
      assertThat(seqs(search(api, globexKey, "*", 10_000))).allMatch(seq -> seq >= 1_000_000);
      assertThat(seqs(search(api, acmeKey, "*", 10_000))).allMatch(seq -> seq < 1_000_000);

      // bad input is named
      HttpApi.Answer badQuery = HttpApi.call(api + "?query=" + encode("body:(unclosed"), acmeKey, null);
      assertThat(badQuery.status()).isEqualTo(400);
      assertThat(badQuery.body()).contains("cannot parse query");
      assertThat(HttpApi.call(api + "?signal=metrics", acmeKey, null).body()).contains("not full-text indexed");
      assertThat(HttpApi.call(api + "?limit=100001", acmeKey, null).status()).isEqualTo(400);
      assertThat(HttpApi.call(api, acmeKey, "[1, 2]").status()).isEqualTo(400);
      assertThat(HttpApi.call(api + "?query=timeout", null, null).status()).isEqualTo(401);
      // parameters that once overflowed into a 500
      for (String bad : List.of("?start=" + encode("+1000000-01-01T00:00:00Z"), "/histogram?interval=999999999999d")) {
        assertThat(HttpApi.call(api + bad, acmeKey, null).status()).as(bad).isEqualTo(400);
      }
      HttpApi.Answer nested = HttpApi.call(api, acmeKey,
          "{\"query\": \"" + "(".repeat(5_000) + "x" + ")".repeat(5_000) + "\"}");
      assertThat(nested.status()).isEqualTo(400);
      assertThat(nested.body()).contains("more than 100 levels");
      assertQueryLimits(openWit, api, acmeKey, from);
    }
  }

  /**
   * Histogram buckets and parameter names are checked; a query past query.timeout_ms is stopped
   * with a 504 and a tenant's queries past query.max_concurrent_per_tenant get a 429, each on a
   * query API of its own over the same stack, configured tight enough to show it.
   */
  private static void assertQueryLimits(OpenWitUnderTest openWit, String api, String key, Instant from)
      throws Exception {
    HttpApi.Answer tooManyBuckets = HttpApi.call(api + "/histogram?interval=1s&start=" + from + "&end="
        + from.plus(1, ChronoUnit.DAYS), key, null);
    assertThat(tooManyBuckets.status()).isEqualTo(400);
    assertThat(tooManyBuckets.body()).contains("'interval'").contains("10000 buckets");
    HttpApi.Answer misspelt = HttpApi.call(api + "?query=timeout&limt=5", key, null);
    assertThat(misspelt.status()).isEqualTo(400);
    assertThat(misspelt.body()).contains("unknown parameter 'limt'");
    // two groups of 600 words: each parses, but together they pass Lucene's clause count
    String group = IntStream.range(0, 600).mapToObj(i -> "w" + i).collect(Collectors.joining(" OR ", "(", ")"));
    HttpApi.Answer tooLarge = HttpApi.call(api, key, "{\"query\": \"" + group + " AND " + group.replace('w', 'v') + "\"}");
    assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(400);
    assertThat(tooLarge.body()).contains("'query'");

    try (QueryApiServer timeoutApi = QueryApiServer.start(sibling(openWit, "timeout", Map.of("query.timeout_ms", "1")))) {
      String search = "http://localhost:" + timeoutApi.port() + "/api/v1/search";
      Await.until(() -> HttpApi.call(search + "?limit=0", key, null).status() != 401, Duration.ofSeconds(30),
          "the second query API knows the key");
      HttpApi.Answer stopped = HttpApi.call(search + "?query=*&limit=10000", key, null);
      assertThat(stopped.status()).as(stopped.body()).isEqualTo(504);
      assertThat(stopped.body()).contains("query.timeout_ms").contains("(1 ms)");
    }

    try (QueryApiServer narrowApi = QueryApiServer.start(
        sibling(openWit, "narrow", Map.of("query.max_concurrent_per_tenant", "1")))) {
      String search = "http://localhost:" + narrowApi.port() + "/api/v1/search?query=*&limit=10000";
      Await.until(() -> HttpApi.call(search, key, null).status() == 200, Duration.ofSeconds(30),
          "the second query API knows the key");
      HttpClient client = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create(search)).header("Authorization", "Bearer " + key).build();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      List<HttpResponse<String>> refused = new ArrayList<>();
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get();
        assertThat(response.statusCode()).as(response.body()).isIn(200, 429);
        if (response.statusCode() == 429) {
          refused.add(response);
        }
      }
      // eight searches of 10,000 rows sent at once overlap: one place for the tenant refuses some
      assertThat(refused).isNotEmpty().allSatisfy(response -> {
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.body()).contains("query.max_concurrent_per_tenant");
      });
    }
  }

  /** The stack's configuration for one more query API: its own port and data directory, and {@code settings}. */
  private static OpenWitConfig sibling(OpenWitUnderTest openWit, String name, Map<String, String> settings)
      throws IOException {
    Map<String, String> overrides = new HashMap<>(settings);
    overrides.put("data_dir", openWit.config.dataPath() + "-" + name);
    overrides.put("query.port", Integer.toString(SharedEngines.freePort()));
    return ConfigLoader.parse(Files.readString(openWit.config.dataPath().resolve("openwit.yaml")), overrides,
        Map.of(), name + " query API");
  }

  private static long send(OpenWitUnderTest openWit, String key, long first, int count, Instant now) {
    return LogCorpus.send(() -> OtlpHttpLogRecordExporter.builder().setEndpoint(openWit.httpEndpoint("logs"))
        .addHeader("Authorization", "Bearer " + key).build(), SEED, first, count, now);
  }

  private static void assertSearchesMatchSql(OpenWitUnderTest openWit, String api, String key) throws Exception {
    for (Map.Entry<String, String> pair : EQUIVALENT.entrySet()) {
      JsonNode answer = search(api, key, pair.getKey(), 10_000);
      Set<Long> expected = sqlSeqs(openWit, pair.getValue());
      assertThat(expected).as("the corpus has rows for %s", pair.getKey()).isNotEmpty();
      assertThat(answer.path("total_hits").asLong()).as(pair.getKey()).isEqualTo(expected.size());
      assertThat(seqs(answer)).as(pair.getKey()).isEqualTo(expected);
    }
  }

  /** The Arrow IPC answer holds the JSON answer's rows, with the table's types. */
  private static void assertArrowAnswersTheSameRows(String api, String key, String query) throws Exception {
    JsonNode json = search(api, key, query, 10_000);
    HttpResponse<byte[]> arrow = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(api + "?limit=10000&query=" + encode(query)))
        .header("Authorization", "Bearer " + key)
        .header("Accept", "application/vnd.apache.arrow.stream").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(arrow.statusCode()).isEqualTo(200);
    assertThat(arrow.headers().firstValue("Content-Type")).hasValue("application/vnd.apache.arrow.stream");
    try (RootAllocator allocator = new RootAllocator();
        ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(arrow.body()), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema().getCustomMetadata())
          .containsEntry("total_hits", json.path("total_hits").asText())
          .containsEntry("returned", json.path("returned").asText());
      assertThat(root.getVector("time")).isInstanceOf(TimeStampMicroTZVector.class);
      List<Long> seqs = new ArrayList<>();
      List<Instant> times = new ArrayList<>();
      while (reader.loadNextBatch()) {
        MapVector attributes = (MapVector) root.getVector("attributes");
        TimeStampMicroTZVector time = (TimeStampMicroTZVector) root.getVector("time");
        for (int row = 0; row < root.getRowCount(); row++) {
          for (Object entry : attributes.getObject(row)) {
            Map<?, ?> pair = (Map<?, ?>) entry;
            if ("seq".equals(pair.get("key").toString())) {
              seqs.add(Long.parseLong(pair.get("value").toString()));
            }
          }
          times.add(Instant.EPOCH.plus(time.get(row), ChronoUnit.MICROS));
        }
      }
      List<Long> jsonSeqs = new ArrayList<>();
      List<Instant> jsonTimes = new ArrayList<>();
      json.path("hits").forEach(hit -> {
        jsonSeqs.add(Long.parseLong(hit.path("attributes").path("seq").asText()));
        jsonTimes.add(Instant.parse(hit.path("time").asText()));
      });
      assertThat(seqs).isEqualTo(jsonSeqs);
      assertThat(times).isEqualTo(jsonTimes);
    }
  }

  /** search_after pages through a query's matches: every row once, newest first across pages. */
  private static void assertPagesCoverEveryMatchOnce(OpenWitUnderTest openWit, String api, String key)
      throws Exception {
    List<Long> seqs = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpApi.Answer answer = HttpApi.call(api + "?query=" + encode("refus*") + "&limit=97"
          + (cursor == null ? "" : "&search_after=" + cursor), key, null);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      JsonNode page = answer.json();
      page.path("hits").forEach(hit -> {
        seqs.add(Long.parseLong(hit.path("attributes").path("seq").asText()));
        times.add(Instant.parse(hit.path("time").asText()));
      });
      cursor = page.path("next_search_after").isMissingNode() ? null : page.path("next_search_after").asText();
      pages++;
    } while (cursor != null);
    Set<Long> expected = sqlSeqs(openWit, "regexp_like(body, '(?i)\\brefus')");
    assertThat(pages).isGreaterThan(2);
    assertThat(seqs).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seqs)).isEqualTo(expected);
    assertThat(times).isSortedAccordingTo((a, b) -> b.compareTo(a));
    assertThat(HttpApi.call(api + "?search_after=not-a-cursor", key, null).body()).contains("search_after");
  }

  /**
   * The openwit_search connector's table function returns the rows SQL selects (paging through the
   * API 500 rows at a time), and only the session user's tenant's: the catalog holds the service
   * key, never a tenant's. (This Trino runs without authentication, so any user name logs in;
   * SecurityIT logs in with keys.)
   */
  private static void assertSqlTableFunctionMatchesSql(OpenWitUnderTest openWit) throws Exception {
    String queryApi = "http://127.0.0.1:" + openWit.queryApi.port();
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement()) {
      for (String[] catalog : new String[][] {{"search_tenants", ServiceCredential.resolve(openWit.config)},
          {"search_wrong_key", "not-a-key"}}) {
        statement.execute("DROP CATALOG IF EXISTS " + catalog[0]);
        statement.execute("CREATE CATALOG " + catalog[0] + " USING openwit_search WITH (\"openwit.query-api-uri\" = '"
            + queryApi + "', \"openwit.service-key\" = '" + catalog[1] + "', \"openwit.page-rows\" = '500')");
      }
    }
    try (Connection acme = asUser(openWit, "acme"); Connection globex = asUser(openWit, "globex");
        Statement statement = acme.createStatement(); Statement asGlobex = globex.createStatement()) {
      for (Map.Entry<String, String> pair : EQUIVALENT.entrySet()) {
        Set<Long> found = new HashSet<>();
        long rows = 0;
        try (ResultSet result = statement.executeQuery("SELECT attributes['seq'] FROM TABLE(search_tenants.system.logs("
            + "query => '" + pair.getKey().replace("'", "''") + "'))")) {
          while (result.next()) {
            found.add(Long.parseLong(result.getString(1)));
            rows++;
          }
        }
        assertThat(rows).as(pair.getKey()).isEqualTo(found.size());
        assertThat(found).as(pair.getKey()).isEqualTo(sqlSeqs(openWit, pair.getValue()));
      }
      try (ResultSet result = asGlobex.executeQuery("SELECT count(*), min(CAST(attributes['seq'] AS bigint))"
          + " FROM TABLE(search_tenants.system.logs(query => '*'))")) {
        result.next();
        assertThat(result.getLong(1)).isEqualTo(200);
        assertThat(result.getLong(2)).isGreaterThanOrEqualTo(1_000_000);
      }
      try (ResultSet result = statement.executeQuery("SELECT count(*) FROM TABLE(search_tenants.system.logs("
          + "query => 'timeout', max_hits => 7))")) {
        result.next();
        assertThat(result.getLong(1)).isEqualTo(7);
      }
      assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM TABLE(search_wrong_key.system.logs(query => '*'))"))
          .hasMessageContaining("unknown API key");
      assertThatThrownBy(() -> statement.executeQuery(
          "SELECT * FROM TABLE(search_tenants.system.logs(query => 'body:(x'))"))
          .hasMessageContaining("cannot parse query");
    }
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement()) {
      for (String catalog : List.of("search_tenants", "search_wrong_key")) {
        statement.execute("DROP CATALOG " + catalog);
      }
    }
  }

  private static Connection asUser(OpenWitUnderTest openWit, String user) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    return DriverManager.getConnection(openWit.engines.trino.jdbcUrl(), properties);
  }

  private static JsonNode search(String api, String key, String query, int limit) throws Exception {
    HttpApi.Answer answer = HttpApi.call(api + "?query=" + encode(query) + "&limit=" + limit, key, null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  private static Set<Long> seqs(JsonNode answer) {
    Set<Long> seqs = new HashSet<>();
    answer.path("hits").forEach(hit -> seqs.add(Long.parseLong(hit.path("attributes").path("seq").asText())));
    assertThat(seqs).as("no row is returned twice").hasSize(answer.path("hits").size());
    return seqs;
  }

  private static Set<Long> sqlSeqs(OpenWitUnderTest openWit, String predicate) throws Exception {
    Set<Long> seqs = new HashSet<>();
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT attributes['seq'] FROM openwit.acme.logs WHERE " + predicate)) {
      while (rows.next()) {
        seqs.add(Long.parseLong(rows.getString(1)));
      }
    }
    return seqs;
  }

  /** The columns of a search hit that {@link #sqlRowText} selects, as one string. */
  private static String rowText(JsonNode hit) {
    return String.join("|", Instant.parse(hit.path("time").asText()).toString(), text(hit.path("time_unix_nano")),
        text(hit.path("severity_number")), text(hit.path("severity_text")), text(hit.path("body")),
        text(hit.path("trace_id")), text(hit.path("service_name")), text(hit.path("attributes").path("user.id")),
        text(hit.path("resource_attributes").path("service.name")));
  }

  private static String text(JsonNode value) {
    return value.isNull() || value.isMissingNode() ? "" : value.asText();
  }

  /** The same columns of the row with attribute seq {@code seq}, read by Trino. */
  private static String sqlRowText(OpenWitUnderTest openWit, String seq) throws Exception {
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT to_unixtime(time) * 1000000, time_unix_nano, severity_number,"
            + " coalesce(severity_text, ''), coalesce(body, ''), coalesce(trace_id, ''), service_name,"
            + " coalesce(element_at(attributes, 'user.id'), ''),"
            + " coalesce(element_at(resource_attributes, 'service.name'), '')"
            + " FROM openwit.acme.logs WHERE attributes['seq'] = '" + seq + "'")) {
      assertThat(rows.next()).as("row " + seq).isTrue();
      String row = String.join("|", Instant.EPOCH.plus(Math.round(rows.getDouble(1)), ChronoUnit.MICROS).toString(),
          rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6),
          rows.getString(7), rows.getString(8), rows.getString(9));
      assertThat(rows.next()).as("one row " + seq).isFalse();
      return row;
    }
  }

  private static Instant newestSqlTime(OpenWitUnderTest openWit, String predicate) throws Exception {
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT to_unixtime(max(time)) * 1000000 FROM openwit.acme.logs WHERE " + predicate)) {
      rows.next();
      return Instant.EPOCH.plus(Math.round(rows.getDouble(1)), ChronoUnit.MICROS);
    }
  }

  private static Map<Instant, Long> sqlBuckets(OpenWitUnderTest openWit, String predicate, Instant from)
      throws Exception {
    Map<Instant, Long> buckets = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      buckets.put(from.plus(5L * i, ChronoUnit.MINUTES), 0L);
    }
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT floor(to_unixtime(time) / 300) * 300, count(*)"
            + " FROM openwit.acme.logs WHERE " + predicate + " GROUP BY 1")) {
      while (rows.next()) {
        buckets.put(Instant.ofEpochSecond((long) rows.getDouble(1)), rows.getLong(2));
      }
    }
    return buckets;
  }

  /** Waits until a match-all search counts {@code rows}: every live data file is indexed. */
  private static void awaitIndexed(String api, String key, long rows) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    long total = -1;
    while (System.nanoTime() < deadline) {
      total = search(api, key, "*", 0).path("total_hits").asLong();
      if (total == rows) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the index holds " + total + " of " + rows + " rows after 2 minutes");
  }

  /** Waits until the registry indexes exactly the files Trino lists as the table's live data files. */
  private static void awaitIndexMatchesTable(OpenWitUnderTest openWit, Metastore metastore) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      Set<String> live = new HashSet<>();
      try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT file_path FROM openwit.acme.\"logs$files\"")) {
        while (rows.next()) {
          live.add(rows.getString(1));
        }
      }
      Set<String> indexed = metastore.indexes().indexedFiles("acme", "logs");
      if (indexed.equals(live)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("indexed files " + indexed + " never matched the table's " + live);
      }
      Thread.sleep(200);
    }
  }

  /** With merge_min_segments 2, the segments of the two waves are merged into one. */
  private static void awaitOneSegment(Metastore metastore) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    int segments;
    while ((segments = metastore.indexes().liveSegments("acme", "logs", Long.MIN_VALUE, Long.MAX_VALUE).size()) > 1) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(segments + " segments were never merged");
      }
      Thread.sleep(200);
    }
  }

  private static void assertNoFileIndexedTwice(Metastore metastore, String tenant) {
    List<IndexRegistry.LiveSegment> segments = metastore.indexes().liveSegments(tenant, "logs", Long.MIN_VALUE, Long.MAX_VALUE);
    List<String> files = new ArrayList<>();
    segments.forEach(segment -> files.addAll(segment.dataFiles()));
    assertThat(files).doesNotHaveDuplicates();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
