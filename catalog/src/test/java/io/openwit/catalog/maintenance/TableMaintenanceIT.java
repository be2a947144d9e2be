package io.openwit.catalog.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.catalog.WarehouseLocations;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.schema.TenantTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The janitor's per-table work on real OpenWit tables in a JDBC catalog on SQLite: small appends in
 * two day partitions, as ingest leaves them, then one maintenance run.
 */
class TableMaintenanceIT {
  private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);
  private static final long NEVER_MS = TimeUnit.DAYS.toMillis(30);
  private static final long TARGET_BYTES = 128L * 1024 * 1024;

  @TempDir Path dir;

  private WarehouseLocations warehouse() {
    return new WarehouseLocations(dir.resolve("warehouse").toUri().toString());
  }
  private JdbcCatalog catalog;
  private IndexRegistry indexes;

  @BeforeEach
  void openCatalog() {
    Metastore metastore = new Metastore("jdbc:sqlite:" + dir.resolve("metastore.db"), "", "");
    metastore.migrate();
    indexes = metastore.indexes();
    catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("it", Map.of(
        CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db"),
        CatalogProperties.WAREHOUSE_LOCATION, dir.resolve("warehouse").toUri().toString(),
        "jdbc.schema-version", "V1",
        CatalogProperties.CLIENT_POOL_SIZE, "1"));
  }

  @AfterEach
  void closeCatalog() throws IOException {
    catalog.close();
  }

  @Test
  void compactsEachPartitionIntoOneFileKeepingEveryValue() throws IOException {
    Table spans = TenantTables.create(catalog, TableIdentifier.of("acme", "spans"));
    long now = System.currentTimeMillis();
    List<Record> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      written.addAll(append(spans, List.of(span(spans, now, 2 * i), span(spans, now, 2 * i + 1))));
    }
    for (int i = 5; i < 8; i++) {
      written.addAll(append(spans, List.of(span(spans, now - 10 * DAY_MS, 2 * i), span(spans, now - 10 * DAY_MS, 2 * i + 1))));
    }
    assertThat(filesPerPartition(spans)).containsOnly(Map.entry(day(now - 10 * DAY_MS), 3), Map.entry(day(now), 5));

    TableReport report = TableMaintenance.maintain(warehouse(), indexes, spans, policy(DAY_MS, 0), now);

    assertThat(report.errors()).isEmpty();
    assertThat(report.table()).isEqualTo(spans.name());
    assertThat(report.filesCompacted()).isEqualTo(8);
    assertThat(report.filesWritten()).isEqualTo(2);
    assertThat(report.rowsRewritten()).isEqualTo(16);
    assertThat(filesPerPartition(spans)).containsOnly(Map.entry(day(now - 10 * DAY_MS), 1), Map.entry(day(now), 1));
    assertThat(rows(spans)).containsExactlyInAnyOrderElementsOf(written);
    assertThat(spans.properties()).containsEntry("write.parquet.compression-codec", "zstd");
  }

  @Test
  void retentionDropsOldDaysAndDeletesTheirFiles() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    List<Record> recent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      recent.addAll(append(logs, List.of(log(logs, now - DAY_MS, 2 * i), log(logs, now - DAY_MS, 2 * i + 1))));
      append(logs, List.of(log(logs, now - 10 * DAY_MS, 100 + i)));
    }
    List<Path> oldFiles = dataFiles(logs).stream()
        .filter(file -> partitionOf(logs, file).equals(day(now - 10 * DAY_MS)))
        .map(file -> Path.of(URI.create(file.location())))
        .toList();
    assertThat(oldFiles).hasSize(3).allSatisfy(file -> assertThat(file).exists());

    // snapshots never age out here: only retention may expire the six appends
    TableReport report = TableMaintenance.maintain(warehouse(), indexes, logs, policy(DAY_MS, 7), now);

    assertThat(report.errors()).isEmpty();
    assertThat(report.retentionFilesDropped()).isEqualTo(3);
    assertThat(report.retentionRowsDropped()).isEqualTo(3);
    assertThat(rows(logs)).containsExactlyInAnyOrderElementsOf(recent);
    assertThat(oldFiles).allSatisfy(file -> assertThat(file).doesNotExist());
    assertThat(report.snapshotsExpired()).isEqualTo(6);
    assertThat(report.filesCompacted()).isEqualTo(3);
    assertThat(snapshotCount(logs)).isEqualTo(2); // the retention delete and the compaction
  }

  @Test
  void expiresOldSnapshotsAndRemovesOldOrphanFiles() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      append(logs, List.of(log(logs, now, i)));
    }
    // every live file as old as the orphan: only references may save them, not their age
    try (var files = Files.walk(Path.of(URI.create(logs.location())))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(file, FileTime.fromMillis(now - 3 * DAY_MS));
      }
    }
    Path oldOrphan = strayFile(logs, now - 3 * DAY_MS);
    Path freshOrphan = strayFile(logs, now);
    long later = System.currentTimeMillis() + 1;

    TableReport report = TableMaintenance.maintain(warehouse(), indexes, 
        logs, new MaintenancePolicy(TARGET_BYTES, 10, 0, 1, DAY_MS, 0), later);

    assertThat(report.errors()).isEmpty();
    assertThat(report.filesCompacted()).isZero();
    assertThat(report.snapshotsExpired()).isEqualTo(2);
    assertThat(snapshotCount(logs)).isEqualTo(1);
    assertThat(report.orphanFilesRemoved()).isEqualTo(1);
    assertThat(oldOrphan).doesNotExist();
    assertThat(freshOrphan).exists();
    assertThat(rows(logs)).hasSize(3);
    assertThat(dataFiles(logs)).allSatisfy(file -> assertThat(Path.of(URI.create(file.location()))).exists());
    logs.refresh();
    assertThat(Path.of(URI.create(((HasTableOperations) logs).operations().current().metadataFileLocation())))
        .exists();
  }

  @Test
  void maintenanceKeepsFlinksCommitMarksAndSparesOrphansWhileThePipelineIsDown() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    flinkAppend(logs, List.of(log(logs, now - 10 * DAY_MS, 1)), 7);
    flinkAppend(logs, List.of(log(logs, now, 2)), 8);
    Path oldOrphan = strayFile(logs, now - 3 * DAY_MS);

    // two days on, the pipeline has not committed for longer than the orphan age: it may be down
    // with a checkpoint whose files only its state references
    TableReport whilePipelineDown = TableMaintenance.maintain(warehouse(), indexes, logs, policy(DAY_MS, 7), now + 2 * DAY_MS);
    assertThat(whilePipelineDown.errors()).isEmpty();
    assertThat(whilePipelineDown.retentionRowsDropped()).isEqualTo(1);
    assertThat(whilePipelineDown.orphanFilesRemoved()).isZero();
    assertThat(oldOrphan).exists();
    // the snapshots Flink wrote are expired with the dropped rows; their marks live on
    logs.refresh();
    assertThat(logs.currentSnapshot().summary())
        .containsEntry("flink.max-committed-checkpoint-id", "8")
        .containsEntry("flink.job-id", "job-1")
        .containsEntry("openwit.maintenance", "true");

    flinkAppend(logs, List.of(log(logs, now, 3)), 9);
    TableReport whilePipelineCommits = TableMaintenance.maintain(warehouse(), indexes, logs, policy(DAY_MS, 7), now + DAY_MS / 2);
    assertThat(whilePipelineCommits.orphanFilesRemoved()).isEqualTo(1);
    assertThat(oldOrphan).doesNotExist();
    assertThat(rows(logs)).hasSize(2);
  }

  @Test
  void compactionKeepsAppendsCommittedSinceItPlanned() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    List<Record> written = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      written.addAll(append(logs, List.of(log(logs, now, i))));
    }
    // this instance plans from the state before the next append, as the janitor would mid-ingest
    Table planned = catalog.loadTable(TableIdentifier.of("acme", "logs"));
    written.addAll(append(logs, List.of(log(logs, now, 3))));

    TableReport report = TableMaintenance.maintain(warehouse(), indexes, planned, policy(DAY_MS, 0), now);

    assertThat(report.errors()).isEmpty();
    assertThat(report.filesCompacted()).isEqualTo(3);
    logs.refresh();
    assertThat(filesPerPartition(logs)).containsOnly(Map.entry(day(now), 2));
    assertThat(rows(logs)).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void aFailingStepDoesNotStopTheOthers() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      append(logs, List.of(log(logs, now, i)));
    }
    // compaction cannot read a file that is gone from disk
    Files.delete(Path.of(URI.create(dataFiles(logs).get(0).location())));
    Path oldOrphan = strayFile(logs, now - 3 * DAY_MS);
    Set<Path> filesBefore = filesUnder(logs);
    long later = System.currentTimeMillis() + 1;

    TableReport report = TableMaintenance.maintain(warehouse(), indexes, 
        logs, new MaintenancePolicy(TARGET_BYTES, 2, 0, 1, DAY_MS, 0), later);

    assertThat(report.errors()).singleElement().asString()
        .startsWith("compaction failed on " + logs.name());
    assertThat(report.filesCompacted()).isZero();
    assertThat(dataFiles(logs)).hasSize(3);
    assertThat(report.snapshotsExpired()).isEqualTo(2);
    assertThat(report.orphanFilesRemoved()).isEqualTo(1);
    assertThat(oldOrphan).doesNotExist();
    // what the failed rewrite wrote is gone again
    assertThat(filesUnder(logs)).allSatisfy(file -> assertThat(filesBefore).contains(file));
  }

  @Test
  void orphanRemovalDeletesOnlyOldSegmentsTheIndexRegistryNeitherListsNorBuilds() throws IOException {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    append(logs, List.of(log(logs, now, 1)));
    long old = now - 3 * DAY_MS;
    Path registered = segmentFolder(logs, "registered", old);
    indexes.register(new IndexRegistry.Segment("registered", "acme", "logs", registered.toUri().toString(),
        List.of("_0.cfs", "segments_1"), 0, 1, 1, 10, old), List.of(), true);
    Path building = segmentFolder(logs, "building", old);
    indexes.startBuilding("building", "acme", "logs", building.toUri().toString(), now);
    Path died = segmentFolder(logs, "died", old);
    indexes.startBuilding("died", "acme", "logs", died.toUri().toString(), old);
    Path abandoned = segmentFolder(logs, "abandoned", old);
    Path fresh = segmentFolder(logs, "fresh", now);

    TableReport report = TableMaintenance.maintain(warehouse(), indexes, logs,
        new MaintenancePolicy(TARGET_BYTES, 10, NEVER_MS, 1, DAY_MS, 0), now + 1);

    assertThat(report.errors()).isEmpty();
    assertThat(report.orphanFilesRemoved()).as("the files of the two dead segments").isEqualTo(8);
    assertThat(registered.resolve("_0.cfs")).exists();
    assertThat(building.resolve("_0.cfs")).exists();
    assertThat(fresh.resolve("_0.cfs")).exists();
    assertThat(died.resolve("_0.cfs")).doesNotExist();
    assertThat(abandoned.resolve("_0.cfs")).doesNotExist();
    assertThat(rows(logs)).hasSize(1);
  }

  @Test
  void orphanRemovalLogsNoErrorWhileTheIndexJobWritesAndDeletesSegments() throws Exception {
    Table logs = TenantTables.create(catalog, TableIdentifier.of("acme", "logs"));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      append(logs, List.of(log(logs, now, i)));
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger churned = new AtomicInteger();
    // as the index job does: a segment is listed in flight, written, registered, then merged away and deleted
    Thread indexJob = new Thread(() -> {
      while (running.get()) {
        String id = UUID.randomUUID().toString();
        Path folder = Path.of(URI.create(logs.location() + "/index/" + id));
        indexes.startBuilding(id, "acme", "logs", folder.toUri().toString(), System.currentTimeMillis());
        try {
          segmentFolder(logs, id, System.currentTimeMillis() - 3 * DAY_MS);
          try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
              Files.delete(file);
            }
          }
          Files.delete(folder);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        indexes.abandon(id);
        churned.incrementAndGet();
      }
    }, "index-job-churn");
    indexJob.start();
    List<TableReport> reports = new ArrayList<>();
    try {
      for (int run = 0; run < 20; run++) {
        reports.add(TableMaintenance.maintain(warehouse(), indexes, logs,
            new MaintenancePolicy(TARGET_BYTES, 10, NEVER_MS, 1, DAY_MS, 0), System.currentTimeMillis()));
      }
    } finally {
      running.set(false);
      indexJob.join();
    }
    assertThat(churned.get()).as("segments written and deleted during the runs").isGreaterThan(20);
    assertThat(reports).allSatisfy(report -> assertThat(report.errors()).isEmpty());
    assertThat(rows(logs)).hasSize(3);
  }

  /** A segment folder of the table, its files last modified at {@code modifiedMillis}. */
  private static Path segmentFolder(Table table, String segmentId, long modifiedMillis) throws IOException {
    Path folder = Files.createDirectories(Path.of(URI.create(table.location() + "/index/" + segmentId)));
    for (String name : List.of("_0.cfs", "_0.cfe", "_0.si", "segments_1")) {
      Path file = Files.write(folder.resolve(name), new byte[] {1, 2, 3});
      Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
    }
    return folder;
  }

  private static MaintenancePolicy policy(long orphanMinAgeMs, int retentionDays) {
    return new MaintenancePolicy(TARGET_BYTES, 2, NEVER_MS, 1, orphanMinAgeMs, retentionDays);
  }

  /** Writes the rows (all of one day) as one data file, in a commit of its own. */
  private static List<Record> append(Table table, List<Record> rows) throws IOException {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    PartitionKey partition = new PartitionKey(spec, schema);
    partition.partition(new InternalRecordWrapper(schema.asStruct()).wrap(rows.get(0)));
    String location = table.locationProvider().newDataLocation(
        spec, partition, FileFormat.PARQUET.addExtension(UUID.randomUUID().toString()));
    DataWriter<Record> writer = new GenericFileWriterFactory.Builder(table).build().newDataWriter(
        EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(location)), spec, partition);
    try (writer) {
      rows.forEach(writer::write);
    }
    table.newAppend().appendFile(writer.toDataFile()).commit();
    return rows;
  }

  /** An append as Flink's Iceberg sink commits it: with its job and checkpoint in the summary. */
  private static void flinkAppend(Table table, List<Record> rows, long checkpointId) throws IOException {
    append(table, rows);
    // the marks go on a snapshot of their own, since append() commits its file already
    table.newAppend()
        .set("flink.job-id", "job-1")
        .set("flink.operator-id", "operator-1")
        .set("flink.max-committed-checkpoint-id", Long.toString(checkpointId))
        .commit();
  }

  private static Record span(Table table, long timeMillis, int n) {
    Schema schema = table.schema();
    Types.StructType eventType = schema.findField("events").type().asListType().elementType().asStructType();
    Record event = GenericRecord.create(eventType);
    event.setField("time", time(timeMillis + 1));
    event.setField("time_unix_nano", nanos(timeMillis + 1));
    event.setField("name", "exception");
    event.setField("attributes", Map.of("exception.type", "IOException", "exception.message", "span " + n));
    event.setField("dropped_attributes_count", 0);
    Record span = GenericRecord.create(schema);
    span.setField("trace_id", String.format("%032x", n));
    span.setField("span_id", String.format("%016x", n));
    span.setField("parent_span_id", n % 2 == 0 ? null : String.format("%016x", n - 1));
    span.setField("name", "GET /orders/" + n);
    span.setField("kind", "SERVER");
    span.setField("start_time", time(timeMillis));
    span.setField("end_time", time(timeMillis + 5));
    span.setField("start_time_unix_nano", nanos(timeMillis));
    span.setField("end_time_unix_nano", nanos(timeMillis + 5));
    span.setField("duration_ns", 5_000_000L);
    span.setField("status_code", n % 3 == 0 ? "ERROR" : "OK");
    span.setField("service_name", "checkout");
    span.setField("resource_attributes", Map.of("service.name", "checkout", "host.name", "node-" + n % 2));
    span.setField("attributes", Map.of("http.method", "GET", "http.status_code", "200"));
    span.setField("events", n % 2 == 0 ? List.of(event) : List.of());
    span.setField("flags", 1L);
    span.setField("dropped_attributes_count", 0);
    span.setField("dropped_events_count", 0);
    span.setField("dropped_links_count", n);
    return span;
  }

  private static Record log(Table table, long timeMillis, int n) {
    Record log = GenericRecord.create(table.schema());
    log.setField("time", time(timeMillis));
    log.setField("time_unix_nano", nanos(timeMillis));
    log.setField("observed_time", time(timeMillis + 1));
    log.setField("observed_time_unix_nano", nanos(timeMillis + 1));
    log.setField("severity_number", 9);
    log.setField("severity_text", "INFO");
    log.setField("body", "order " + n + " placed");
    log.setField("flags", 0L);
    log.setField("service_name", "checkout");
    log.setField("attributes", Map.of("order.id", Integer.toString(n)));
    log.setField("dropped_attributes_count", 0);
    return log;
  }

  private static OffsetDateTime time(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
  }

  private static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** The partition path of a day, as Iceberg writes it for a day(...) partition. */
  private static String day(long millis) {
    return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC).toLocalDate().toString();
  }

  private static String partitionOf(Table table, DataFile file) {
    String path = table.specs().get(file.specId()).partitionToPath(file.partition());
    return path.substring(path.indexOf('=') + 1);
  }

  private static List<DataFile> dataFiles(Table table) throws IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file()));
    }
    return files;
  }

  private static Map<String, Integer> filesPerPartition(Table table) throws IOException {
    return dataFiles(table).stream().collect(
        Collectors.groupingBy(file -> partitionOf(table, file), TreeMap::new, Collectors.summingInt(file -> 1)));
  }

  private static List<Record> rows(Table table) throws IOException {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(rows::add);
    }
    return rows;
  }

  private static int snapshotCount(Table table) {
    int count = 0;
    for (var ignored : table.snapshots()) {
      count++;
    }
    return count;
  }

  /** A Parquet-named file in the data directory that no snapshot references. */
  private static Path strayFile(Table table, long modifiedMillis) throws IOException {
    Path dataDir = Files.createDirectories(Path.of(URI.create(table.location() + "/data")));
    Path file = dataDir.resolve("00000-0-" + UUID.randomUUID() + ".parquet");
    Files.write(file, new byte[] {'P', 'A', 'R', '1'});
    Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
    return file;
  }

  private static Set<Path> filesUnder(Table table) throws IOException {
    try (var files = Files.walk(Path.of(URI.create(table.location() + "/data")))) {
      return files.filter(Files::isRegularFile).collect(Collectors.toCollection(HashSet::new));
    }
  }
}
