package io.openwit.index.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.catalog.CatalogServer;
import io.openwit.common.config.ConfigLoader;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.kafka.DeadLetterTopic;
import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.wire.RecordHeaders;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.QueryLanguage;
import io.openwit.index.format.SegmentStorage;
import io.openwit.receiver.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index job's planner and builder (Flink operator harnesses) over a real catalog, real Parquet
 * files in real Iceberg commits, the real index registry and a real Kafka broker: a data file that
 * cannot be read is reported and left out while the others are indexed, and an outage of the
 * table's storage is not taken for bad files.
 */
class UnreadableDataFileTest {
  private static final int ROWS_PER_FILE = 5;

  @TempDir Path dataDir;

  private String deadLetterTopic;
  private OpenWitConfig config;
  private CatalogServer catalog;
  private RESTCatalog client;
  private IndexRegistry registry;

  @BeforeEach
  void start() throws IOException {
    deadLetterTopic = TestKafka.uniqueTopic("dead-letters");
    config = config();
    catalog = CatalogServer.start(config);
    client = IndexJob.catalog(config);
    registry = Metastore.of(config).indexes();
    DeadLetterTopic.ensure(config);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    catalog.close();
  }

  @Test
  void aTruncatedFileIsReportedOnceAndLeftOutWhileTheOtherFilesAreIndexed() throws Exception {
    Table logs = client.loadTable(TableIdentifier.of("default", "logs"));
    DataFile alpha = append(logs, "alpha");
    DataFile bravo = append(logs, "bravo");
    DataFile charlie = append(logs, "charlie");
    Path bravoFile = Path.of(URI.create(bravo.location()));
    byte[] bytes = Files.readAllBytes(bravoFile);
    Files.write(bravoFile, Arrays.copyOf(bytes, bytes.length / 2));

    List<IndexWork> work = plan();
    assertThat(work).singleElement().satisfies(one -> assertThat(one.paths).hasSize(3));
    InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
    try (KeyedOneInputStreamOperatorTestHarness<String, IndexWork, Void> apply = apply(metrics)) {
      apply.processElement(work.get(0), 0);
    }

    assertThat(registry.indexedFiles("default", "logs")).containsExactlyInAnyOrder(alpha.location(), charlie.location());
    assertThat(registry.unindexableFiles("default", "logs")).containsExactly(bravo.location());
    assertThat(hits(logs, "alpha")).isEqualTo(ROWS_PER_FILE);
    assertThat(hits(logs, "charlie")).isEqualTo(ROWS_PER_FILE);
    assertThat(hits(logs, "bravo")).isZero();
    assertThat(((Counter) metrics.get(UnindexableFiles.METRIC)).getCount()).isEqualTo(1);

    List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(1);
    assertThat(letters).singleElement().satisfies(letter -> {
      assertThat(header(letter, RecordHeaders.DEAD_LETTER_REASON)).isEqualTo(UnindexableFiles.REASON);
      assertThat(header(letter, RecordHeaders.DEAD_LETTER_DETAIL)).isNotBlank();
      assertThat(header(letter, RecordHeaders.TENANT)).isEqualTo("default");
      assertThat(header(letter, RecordHeaders.DEAD_LETTER_TABLE)).isEqualTo("logs");
      assertThat(header(letter, RecordHeaders.DEAD_LETTER_DATA_FILE)).isEqualTo(bravo.location());
      assertThat(letter.value()).isNull();
    });
    assertThat(TestKafka.recordCount(deadLetterTopic)).as("what openwit batches status counts").isEqualTo(1);

    assertThat(plan()).as("a restarted planner leaves the unindexable file out").isEmpty();
  }

  @Test
  void filesThatCannotBeReadWhileTheTablesStorageIsGoneAreRetriedNotReported() throws Exception {
    Table logs = client.loadTable(TableIdentifier.of("default", "logs"));
    DataFile alpha = append(logs, "alpha");
    DataFile bravo = append(logs, "bravo");
    List<IndexWork> work = plan();
    // storage gone but for the metadata file the catalog reads: the data files and manifest lists
    Path tableFolder = Path.of(URI.create(logs.location()));
    Path away = Files.createDirectories(dataDir.resolve("storage-gone"));
    List<Path> gone = new ArrayList<>(List.of(tableFolder.resolve("data")));
    try (Stream<Path> metadata = Files.list(tableFolder.resolve("metadata"))) {
      metadata.filter(file -> file.getFileName().toString().startsWith("snap-")).forEach(gone::add);
    }
    for (Path path : gone) {
      Files.move(path, away.resolve(path.getFileName()));
    }

    InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
    try (KeyedOneInputStreamOperatorTestHarness<String, IndexWork, Void> apply = apply(metrics)) {
      assertThatThrownBy(() -> apply.processElement(work.get(0), 0))
          .as("the work fails, for the job to restart and retry").hasMessageContaining("an outage");
    }
    assertThat(registry.unindexableFiles("default", "logs")).isEmpty();
    assertThat(registry.indexedFiles("default", "logs")).isEmpty();
    assertThat(TestKafka.recordCount(deadLetterTopic)).isZero();

    for (Path path : gone) {
      Files.move(away.resolve(path.getFileName()), path);
    }
    try (KeyedOneInputStreamOperatorTestHarness<String, IndexWork, Void> apply = apply(metrics)) {
      apply.processElement(work.get(0), 0);
    }
    assertThat(registry.indexedFiles("default", "logs")).containsExactlyInAnyOrder(alpha.location(), bravo.location());
    assertThat(TestKafka.recordCount(deadLetterTopic)).isZero();
  }

  /** The work a freshly started planner emits on its first tick. */
  private List<IndexWork> plan() throws Exception {
    try (OneInputStreamOperatorTestHarness<Long, IndexWork> planner =
        ProcessFunctionTestHarnesses.forProcessFunction(new PlanIndexWork(config))) {
      planner.processElement(0L, 0);
      return new ArrayList<>(planner.extractOutputValues());
    }
  }

  /** The builder, its metrics reported to {@code metrics}. */
  private KeyedOneInputStreamOperatorTestHarness<String, IndexWork, Void> apply(InterceptingOperatorMetricGroup metrics)
      throws Exception {
    MockEnvironment environment = new MockEnvironmentBuilder()
        .setMetricGroup(new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
          @Override
          public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name) {
            return metrics;
          }

          @Override
          public InternalOperatorMetricGroup getOrAddOperator(String name) {
            return metrics;
          }
        })
        .build();
    KeyedOneInputStreamOperatorTestHarness<String, IndexWork, Void> harness = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new ApplyIndexWork(config)), IndexWork::tableKey, Types.STRING, environment);
    harness.open();
    return harness;
  }

  /** Rows of the registered segments that {@code query} finds. */
  private int hits(Table table, String query) throws IOException {
    Path cache = Files.createTempDirectory(dataDir, "cache");
    List<Directory> directories = new ArrayList<>();
    List<IndexReader> readers = new ArrayList<>();
    try {
      for (IndexRegistry.LiveSegment live : registry.liveSegments("default", "logs", Long.MIN_VALUE, Long.MAX_VALUE)) {
        Directory directory = SegmentStorage.open(table.io(), live.segment(), cache);
        directories.add(directory);
        readers.add(DirectoryReader.open(directory));
      }
      try (MultiReader all = new MultiReader(readers.toArray(IndexReader[]::new), true)) {
        return new IndexSearcher(all).count(QueryLanguage.parse(query, IndexedTable.LOGS));
      }
    } finally {
      for (Directory directory : directories) {
        directory.close();
      }
    }
  }

  /** Writes {@value #ROWS_PER_FILE} log rows whose body holds {@code word} as one data file, in a commit of its own. */
  private static DataFile append(Table table, String word) throws IOException {
    Schema schema = table.schema();
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < ROWS_PER_FILE; i++) {
      long millis = 1_700_000_000_000L + i;
      Record row = GenericRecord.create(schema);
      row.setField("time", Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
      row.setField("time_unix_nano", TimeUnit.MILLISECONDS.toNanos(millis));
      row.setField("observed_time", Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
      row.setField("observed_time_unix_nano", TimeUnit.MILLISECONDS.toNanos(millis));
      row.setField("severity_number", 9);
      row.setField("severity_text", "INFO");
      row.setField("body", word + " message " + i);
      row.setField("flags", 0L);
      row.setField("service_name", "checkout");
      row.setField("dropped_attributes_count", 0);
      rows.add(row);
    }
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
    return writer.toDataFile();
  }

  /** The dead-letter topic's records, once there are {@code expected} (and any more that follow soon). */
  private List<ConsumerRecord<byte[], byte[]>> deadLetters(int expected) {
    Properties properties = config.ingestion().kafka().clientConfig();
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(deadLetterTopic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
      consumer.poll(Duration.ofSeconds(1)).forEach(records::add);
    }
    return records;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** OpenWit on this test's data directory, catalog port and dead-letter topic, and the shared test broker. */
  private OpenWitConfig config() throws IOException {
    Path file = dataDir.resolve("openwit.yaml");
    Files.writeString(file, """
        data_dir: %s
        catalog:
          port: %d
        ingestion:
          kafka:
            bootstrap_servers: %s
            topics:
              dead_letter: %s
        """.formatted(dataDir, TestKafka.unusedPort(), TestKafka.bootstrapServers(), deadLetterTopic));
    return ConfigLoader.load(file, Map.of());
  }
}
