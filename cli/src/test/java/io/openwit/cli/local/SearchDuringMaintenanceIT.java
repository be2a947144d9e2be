package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.common.metastore.Metastore;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No search blackout (issue 15): searches run in a loop while {@code openwit maintenance run}
 * compacts the logs table and expires the snapshots of the replaced files, and until the index
 * job has indexed the new files and settled; every answer counts exactly the rows SQL counts.
 */
class SearchDuringMaintenanceIT {
  private static final Logger LOG = LoggerFactory.getLogger(SearchDuringMaintenanceIT.class);
  private static final int WAVES = 6;
  private static final int WAVE = 1_500;
  private static final String LOGS = "openwit.\"default\".logs";

  /** One search's answer: when it was asked (ms since the maintenance run started) and its totals. */
  private record Answer(long atMs, long total, long timeouts) {}

  @Test
  void searchCountsWhatSqlCountsBeforeDuringAndAfterMaintenance() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.SQLITE, Map.of(
        "index.poll_interval_ms", "500",
        "maintenance.min_input_files", "2",
        "maintenance.snapshot_max_age_ms", "0",
        "maintenance.min_snapshots_to_keep", "1"))) {
      openWit.startIndexJob();
      Metastore metastore = new Metastore(openWit.metastoreUrl, openWit.metastore.user(), "");
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      for (int wave = 0; wave < WAVES; wave++) {
        long first = (long) wave * WAVE;
        assertThat(LogCorpus.send(() -> OtlpHttpLogRecordExporter.builder()
            .setEndpoint(openWit.httpEndpoint("logs")).build(), 42, first, WAVE, now)).isEqualTo(WAVE);
        // each wave in checkpoints of its own: the table gets several small files to compact
        openWit.awaitCount("SELECT count(*) FROM " + LOGS, first + WAVE, Duration.ofMinutes(2));
      }
      long rows = openWit.queryLong("SELECT count(*) FROM " + LOGS);
      long timeouts = openWit.queryLong("SELECT count(*) FROM " + LOGS + " WHERE regexp_like(body, '(?i)\\btimeout\\b')");
      assertThat(rows).isEqualTo((long) WAVES * WAVE);
      assertThat(timeouts).isPositive();
      String api = "http://localhost:" + openWit.queryApi.port() + "/api/v1/search";
      awaitIndexMatchesTable(openWit, metastore);
      assertThat(answer(api, 0).total()).isEqualTo(rows);
      Set<String> filesBefore = liveFiles(openWit);

      List<Answer> answers = new CopyOnWriteArrayList<>();
      AtomicBoolean searching = new AtomicBoolean(true);
      long started = System.currentTimeMillis();
      AtomicReference<Throwable> searchFailure = new AtomicReference<>();
      Thread searcher = new Thread(() -> {
        try {
          while (searching.get()) {
            answers.add(answer(api, started));
          }
        } catch (Exception | AssertionError e) {
          searchFailure.set(e);
        }
      }, "searcher");
      searcher.start();
      HttpApi.Run maintenance = HttpApi.cli("maintenance", "run", "--catalog", openWit.config.catalogUri());
      long maintained = System.currentTimeMillis() - started;
      awaitIndexMatchesTable(openWit, metastore);
      long settled = System.currentTimeMillis() - started;
      // a few more answers after the swap
      Thread.sleep(2_000);
      searching.set(false);
      searcher.join();
      assertThat(searchFailure.get()).as("a search failed during maintenance").isNull();

      assertThat(maintenance.exitCode()).as(maintenance.out() + maintenance.err()).isZero();
      JsonNode logs = tableReport(new ObjectMapper().readTree(maintenance.out()), "logs");
      assertThat(logs.path("errors")).isEmpty();
      assertThat(logs.path("files_compacted").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(logs.path("snapshots_expired").asInt()).isPositive();
      assertThat(liveFiles(openWit)).as("compaction replaced the files").doesNotContainAnyElementsOf(filesBefore);
      assertThat(openWit.queryLong("SELECT count(*) FROM " + LOGS)).isEqualTo(rows);
      assertThat(metastore.indexes().pendingFiles("default", "logs")).isEmpty();

      List<Answer> beforeSettled = answers.stream().filter(answer -> answer.atMs() < settled).toList();
      LOG.info("total_hits through maintenance (run took {} ms, index settled at {} ms): {} searches, {} before the"
          + " settle, total_hits min {} max {} (SQL count {}); 'timeout' min {} max {} (SQL {})", maintained, settled,
          answers.size(), beforeSettled.size(),
          answers.stream().mapToLong(Answer::total).min().orElseThrow(),
          answers.stream().mapToLong(Answer::total).max().orElseThrow(), rows,
          answers.stream().mapToLong(Answer::timeouts).min().orElseThrow(),
          answers.stream().mapToLong(Answer::timeouts).max().orElseThrow(), timeouts);
      assertThat(beforeSettled).as("searches while the new files were being indexed").hasSizeGreaterThan(10);
      assertThat(answers).allSatisfy(answer -> {
        assertThat(answer.total()).as("total_hits at %d ms", answer.atMs()).isEqualTo(rows);
        assertThat(answer.timeouts()).as("'timeout' hits at %d ms", answer.atMs()).isEqualTo(timeouts);
      });
    }
  }

  private static Answer answer(String api, long startedMillis) throws Exception {
    long at = System.currentTimeMillis() - startedMillis;
    return new Answer(at, totalHits(api, "*"), totalHits(api, "timeout"));
  }

  private static long totalHits(String api, String query) throws Exception {
    HttpApi.Answer answer = HttpApi.call(api + "?limit=0&query=" + URLEncoder.encode(query, StandardCharsets.UTF_8),
        null, null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json().path("total_hits").asLong();
  }

  private static Set<String> liveFiles(OpenWitUnderTest openWit) throws Exception {
    Set<String> live = new HashSet<>();
    try (Connection connection = openWit.engines.trino.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT file_path FROM openwit.\"default\".\"logs$files\"")) {
      while (rows.next()) {
        live.add(rows.getString(1));
      }
    }
    return live;
  }

  /** Waits until the registry indexes exactly the table's live data files, all of them visible. */
  private static void awaitIndexMatchesTable(OpenWitUnderTest openWit, Metastore metastore) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      Set<String> live = liveFiles(openWit);
      Set<String> indexed = metastore.indexes().indexedFiles("default", "logs");
      if (indexed.equals(live) && metastore.indexes().pendingFiles("default", "logs").isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("indexed files " + indexed + " never matched the table's " + live);
      }
      Thread.sleep(200);
    }
  }

  private static JsonNode tableReport(JsonNode report, String table) {
    for (JsonNode tableReport : report.path("tables")) {
      if (tableReport.path("table").asText().endsWith(".default." + table)) {
        return tableReport;
      }
    }
    throw new AssertionError("no report for table " + table + " in " + report.toPrettyString());
  }
}
