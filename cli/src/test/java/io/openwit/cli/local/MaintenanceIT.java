package io.openwit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.catalog.maintenance.Janitor;
import io.openwit.catalog.maintenance.MaintenanceReport;
import io.openwit.common.metastore.Metastore;
import io.opentelemetry.api.trace.Span;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.Test;

/**
 * The janitor on real tables (PostgreSQL metastore): retention, compaction, snapshot expiration
 * and orphan removal seen through Trino and on disk, and two janitors racing for the lease.
 */
class MaintenanceIT {
  private static final String SPANS = "openwit.\"default\".spans";

  @Test
  void maintenanceRunDropsExpiredDataCompactsAndCleansUp() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.POSTGRESQL, Map.of(
        "maintenance.retention.tenants.default.traces", "7",
        "maintenance.min_input_files", "3",
        "maintenance.snapshot_max_age_ms", "0",
        "maintenance.min_snapshots_to_keep", "1",
        "maintenance.orphan_min_age_ms", "3600000"))) {
      SdkSpans sdk = new SdkSpans(openWit.tracesEndpoint());
      Instant tenDaysAgo = Instant.now().minus(10, ChronoUnit.DAYS);
      sdk.asService("old", tracer -> {
        for (int i = 0; i < 200; i++) {
          Span span = tracer.spanBuilder("old-" + i).setStartTimestamp(tenDaysAgo.plusMillis(i)).startSpan();
          span.end(tenDaysAgo.plusMillis(i + 1));
        }
      });
      long recent = 0;
      for (int wave = 0; wave < 4; wave++) {
        sdk.asService("recent", tracer -> SdkSpans.simpleSpans(tracer, 250));
        recent += 250;
        // each wave in its own checkpoint, so today's partition gets several small files
        openWit.awaitSpanCount(200 + recent, Duration.ofMinutes(1));
      }
      assertThat(openWit.spanCount()).isEqualTo(200 + recent);
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      String oldDay = LocalDate.ofInstant(tenDaysAgo, ZoneOffset.UTC).toString();
      List<String> oldFiles = filePaths(openWit, oldDay);
      assertThat(oldFiles).isNotEmpty();
      assertThat(filePaths(openWit, today)).hasSizeGreaterThanOrEqualTo(4);
      long snapshotsBefore = openWit.queryLong("SELECT count(*) FROM openwit.\"default\".\"spans$snapshots\"");
      long durationSum = openWit.queryLong("SELECT sum(duration_ns) FROM " + SPANS + " WHERE service_name = 'recent'");

      Path dataDir = Path.of(URI.create(oldFiles.get(0))).getParent().getParent();
      Path staleOrphan = Files.writeString(dataDir.resolve("stale-orphan.parquet"), "left by a crashed writer");
      Files.setLastModifiedTime(staleOrphan, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
      Path freshOrphan = Files.writeString(dataDir.resolve("fresh-orphan.parquet"), "maybe an in-flight write");

      HttpApi.Run run = HttpApi.cli("maintenance", "run", "--catalog", openWit.config.catalogUri());
      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode spans = tableReport(new ObjectMapper().readTree(run.out()), "spans");
      assertThat(spans.path("errors")).isEmpty();
      assertThat(spans.path("retention_rows_dropped").asLong()).isEqualTo(200);
      assertThat(spans.path("retention_files_dropped").asInt()).isEqualTo(oldFiles.size());
      assertThat(spans.path("files_compacted").asInt()).isGreaterThanOrEqualTo(4);
      assertThat(spans.path("files_written").asInt()).isEqualTo(1);
      assertThat(spans.path("snapshots_expired").asInt()).isPositive();
      assertThat(spans.path("orphan_files_removed").asInt()).isGreaterThanOrEqualTo(1);

      assertThat(openWit.queryLong("SELECT count(*) FROM " + SPANS + " WHERE start_time < current_timestamp"
          + " - INTERVAL '7' DAY")).isZero();
      assertThat(openWit.spanCount()).isEqualTo(recent);
      assertThat(openWit.queryLong("SELECT count(DISTINCT span_id) FROM " + SPANS)).isEqualTo(recent);
      assertThat(openWit.queryLong("SELECT sum(duration_ns) FROM " + SPANS + " WHERE service_name = 'recent'"))
          .isEqualTo(durationSum);
      assertThat(filePaths(openWit, today)).hasSize(1);
      assertThat(filePaths(openWit, oldDay)).isEmpty();
      for (String file : oldFiles) {
        assertThat(Path.of(URI.create(file))).as("a file dropped by retention").doesNotExist();
      }
      assertThat(openWit.queryLong("SELECT count(*) FROM openwit.\"default\".\"spans$snapshots\""))
          .isLessThan(snapshotsBefore);
      assertThat(staleOrphan).doesNotExist();
      assertThat(freshOrphan).exists();

      sdk.asService("after-maintenance", tracer -> SdkSpans.simpleSpans(tracer, 100));
      assertThat(openWit.awaitSpanCount(recent + 100, Duration.ofMinutes(1))).isEqualTo(recent + 100);
    }
  }

  @Test
  void twoJanitorsRacingNeverBothRun() throws Exception {
    try (OpenWitUnderTest openWit = OpenWitUnderTest.start(Metastores.POSTGRESQL, Map.of())) {
      // A metastore of their own: the catalog's janitor holds the lease of the test's metastore.
      String url = Metastores.POSTGRESQL.createEmpty(openWit.engines.root.resolve("janitors-" + System.nanoTime()));
      Metastore metastore = new Metastore(url, Metastores.POSTGRESQL.user(), "");
      metastore.migrate();
      try (RESTCatalog catalog = new RESTCatalog()) {
        catalog.setConf(new Configuration());
        catalog.initialize("janitors", Map.of("uri", openWit.config.catalogUri()));
        Janitor first = new Janitor(catalog, catalog, metastore.batches(), metastore.controlPlane(), metastore.indexes(),
            openWit.config, "janitor-a");
        Janitor second = new Janitor(catalog, catalog, metastore.batches(), metastore.controlPlane(), metastore.indexes(),
            openWit.config, "janitor-b");
        List<String> winners = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
          CountDownLatch gate = new CountDownLatch(1);
          CompletableFuture<MaintenanceReport> a = CompletableFuture.supplyAsync(() -> runAfter(gate, first));
          CompletableFuture<MaintenanceReport> b = CompletableFuture.supplyAsync(() -> runAfter(gate, second));
          gate.countDown();
          List<MaintenanceReport> reports = List.of(a.get(), b.get());
          assertThat(reports).filteredOn(MaintenanceReport::ran).hasSize(1);
          MaintenanceReport winner = reports.stream().filter(MaintenanceReport::ran).findFirst().orElseThrow();
          MaintenanceReport loser = reports.stream().filter(report -> !report.ran()).findFirst().orElseThrow();
          assertThat(loser.leader()).isEqualTo(winner.janitor());
          winners.add(winner.janitor());
        }
        assertThat(winners).as("the lease stays with its holder").containsOnly(winners.get(0));

        Janitor leader = winners.get(0).equals("janitor-a") ? first : second;
        Janitor other = leader == first ? second : first;
        leader.close();
        assertThat(other.runNow().ran()).as("the lease passes on once its holder stops").isTrue();
        other.close();
      } finally {
        Metastores.POSTGRESQL.drop(url);
      }
    }
  }

  private static MaintenanceReport runAfter(CountDownLatch gate, Janitor janitor) {
    try {
      gate.await();
      return janitor.runNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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

  /** The data files of today's spans table in one day partition, from Iceberg's metadata via Trino. */
  private static List<String> filePaths(OpenWitUnderTest openWit, String day) throws Exception {
    List<String> paths = new ArrayList<>();
    try (Connection connection = openWit.engines.trino.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT file_path FROM openwit.\"default\".\"spans$files\""
            + " WHERE file_path LIKE '%start_time_day=" + day + "%'")) {
      while (rows.next()) {
        paths.add(rows.getString(1));
      }
    }
    return paths;
  }
}
