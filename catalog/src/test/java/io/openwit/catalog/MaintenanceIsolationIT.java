package io.openwit.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.catalog.maintenance.Janitor;
import io.openwit.catalog.maintenance.TableMaintenance;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance has threads of its own: while {@code POST /api/maintenance/run} compacts many small
 * files, the REST catalog (SQLite metastore, as {@code openwit local} runs it) keeps answering
 * {@code GET /v1/config} and loadTable quickly, and the run's work is on the maintenance threads,
 * none of it on (or awaited by) a request thread.
 */
class MaintenanceIsolationIT {
  private static final TableIdentifier LOGS = TableIdentifier.of("default", "logs");
  private static final int FILES = Integer.getInteger("openwit.maintenance.it.files", 800);
  private static final int FILES_PER_COMMIT = 100;
  private static final Duration P99_BOUND = Duration.ofSeconds(1);

  @TempDir Path dataDir;

  @Test
  void restCatalogCallsStayFastWhileMaintenanceRuns() throws Exception {
    OpenWitConfig config = ConfigLoader.parse("", Map.of(
        "data_dir", dataDir.toString(),
        "catalog.port", "0",
        "maintenance.min_input_files", "2",
        "maintenance.orphan_min_age_ms", "86400000"), Map.of(), "test");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (CatalogServer server = CatalogServer.start(config); RESTCatalog client = new RESTCatalog()) {
      String base = "http://127.0.0.1:" + server.port();
      client.setConf(new Configuration());
      client.initialize("it", Map.of("uri", base));
      writeSmallFiles(client.loadTable(LOGS), FILES);

      long runStarted = System.nanoTime();
      CompletableFuture<HttpResponse<String>> run = http.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/api/maintenance/run"))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      List<Long> latenciesNanos = new ArrayList<>();
      Set<String> compactingThreads = new TreeSet<>();
      Set<String> janitorThreads = new TreeSet<>();
      List<HttpRequest> calls = List.of(
          HttpRequest.newBuilder(URI.create(base + "/v1/config")).timeout(Duration.ofSeconds(30)).build(),
          HttpRequest.newBuilder(URI.create(base + "/v1/namespaces/default/tables/logs"))
              .timeout(Duration.ofSeconds(30)).build());
      while (!run.isDone()) {
        threadsIn(TableMaintenance.class, compactingThreads);
        threadsIn(Janitor.class, janitorThreads);
        for (HttpRequest call : calls) {
          long sent = System.nanoTime();
          HttpResponse<String> answer = http.send(call, HttpResponse.BodyHandlers.ofString());
          latenciesNanos.add(System.nanoTime() - sent);
          assertThat(answer.statusCode()).as(call.uri() + ": " + answer.body()).isEqualTo(200);
        }
      }
      long runMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runStarted);

      HttpResponse<String> answer = run.get();
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode logs = tableReport(new ObjectMapper().readTree(answer.body()), "logs");
      assertThat(logs.path("errors")).isEmpty();
      assertThat(logs.path("files_compacted").asInt()).isEqualTo(FILES);

      List<Long> sorted = latenciesNanos.stream().sorted().toList();
      long p50 = sorted.get(sorted.size() / 2);
      long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
      System.out.printf("catalog during maintenance: %d calls over a %d ms run compacting %d files:"
          + " p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", sorted.size(), runMs, FILES, p50 / 1e6, p99 / 1e6,
          sorted.get(sorted.size() - 1) / 1e6);
      assertThat(sorted).as("calls answered while the run lasted").hasSizeGreaterThanOrEqualTo(20);
      assertThat(Duration.ofNanos(p99)).isLessThan(P99_BOUND);
      // the run's work is on maintenance threads, and no request thread waits for it
      assertThat(compactingThreads).isNotEmpty().allMatch(name -> name.equals("openwit-maintenance"));
      assertThat(janitorThreads).allMatch(name -> name.startsWith("openwit-"));
    }
  }

  /** Adds the names of the threads running code of {@code type} now. */
  private static void threadsIn(Class<?> type, Set<String> names) {
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      for (StackTraceElement frame : stack) {
        if (frame.getClassName().equals(type.getName())) {
          names.add(thread.getName());
          return;
        }
      }
    });
  }

  /** {@code count} one-row files of today's partition, committed {@value #FILES_PER_COMMIT} at a time. */
  private static void writeSmallFiles(Table table, int count) throws IOException {
    // a bloom filter is sized at its maximum when the writer cannot estimate values: keep one-row files small
    table.updateProperties().set("write.parquet.bloom-filter-max-bytes", "1024").commit();
    GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table).build();
    AppendFiles append = table.newAppend();
    for (int i = 0; i < count; i++) {
      Record row = log(table, Instant.now(), i);
      PartitionKey partition = new PartitionKey(table.spec(), table.schema());
      partition.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(row));
      String location = table.locationProvider().newDataLocation(
          table.spec(), partition, FileFormat.PARQUET.addExtension(UUID.randomUUID().toString()));
      DataWriter<Record> writer = writers.newDataWriter(
          EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(location)), table.spec(), partition);
      try (writer) {
        writer.write(row);
      }
      DataFile file = writer.toDataFile();
      append.appendFile(file);
      if ((i + 1) % FILES_PER_COMMIT == 0 || i == count - 1) {
        append.commit();
        append = table.newAppend();
      }
    }
  }

  private static Record log(Table table, Instant time, int n) {
    Record log = GenericRecord.create(table.schema());
    log.setField("time", time.atOffset(ZoneOffset.UTC));
    log.setField("time_unix_nano", time.toEpochMilli() * 1_000_000);
    log.setField("observed_time", time.atOffset(ZoneOffset.UTC));
    log.setField("observed_time_unix_nano", time.toEpochMilli() * 1_000_000);
    log.setField("severity_number", 9);
    log.setField("severity_text", "INFO");
    log.setField("body", "order " + n + " placed");
    log.setField("flags", 0L);
    log.setField("service_name", "checkout");
    log.setField("attributes", Map.of("order.id", Integer.toString(n)));
    log.setField("dropped_attributes_count", 0);
    return log;
  }

  private static JsonNode tableReport(JsonNode report, String table) {
    for (JsonNode tableReport : report.path("tables")) {
      if (tableReport.path("table").asText().endsWith("." + table)) {
        return tableReport;
      }
    }
    throw new AssertionError("no report of " + table + " in " + report);
  }
}
