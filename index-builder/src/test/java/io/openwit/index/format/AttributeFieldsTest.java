package io.openwit.index.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.schema.TableSchemas;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attribute field bound, with the index registry on SQLite: a tenant sending 100,000 distinct
 * attribute keys gets at most the bound as fields of its own, every value stays searchable, and
 * other tenants' fields are their own.
 */
class AttributeFieldsTest {
  private static final int BOUND = 1_000;
  private static final int ROWS = 1_000;
  private static final int KEYS_PER_ROW = 100;

  @TempDir Path dir;
  private IndexRegistry registry;

  @BeforeEach
  void openRegistry() {
    Metastore metastore = new Metastore("jdbc:sqlite:" + dir.resolve("metastore.db"), "", "");
    metastore.migrate();
    registry = metastore.indexes();
  }

  @Test
  void aHundredThousandDistinctKeysStayWithinTheBoundAndSearchable() throws IOException {
    Directory noisy = new ByteBuffersDirectory();
    index(noisy, "noisy", ROWS, row -> {
      Map<String, String> attributes = new HashMap<>();
      for (int k = 0; k < KEYS_PER_ROW; k++) {
        int key = row * KEYS_PER_ROW + k;
        attributes.put("random." + key, "v-" + key);
      }
      return attributes;
    });
    Directory quiet = new ByteBuffersDirectory();
    index(quiet, "quiet", 10, row -> Map.of("http.method", "GET", "user.id", "u-" + row));

    assertThat(registry.attributeFields("noisy", "logs")).hasSize(BOUND);
    assertThat(attributeFieldCount(noisy)).isEqualTo(BOUND + 1); // the owned fields and the catch-all
    // the keys that came first own fields; the 100,000th is in the catch-all
    assertThat(registry.attributeFields("noisy", "logs")).contains("attributes.random.0");
    assertThat(registry.attributeFields("noisy", "logs")).doesNotContain("attributes.random.99999");
    assertThat(count(noisy, "noisy", "attributes.random.0:v-0")).isEqualTo(1);
    assertThat(count(noisy, "noisy", "attributes.random.99999:v-99999")).isEqualTo(1);
    assertThat(count(noisy, "noisy", "attributes.random.99999:v-99998")).isZero();
    assertThat(count(noisy, "noisy", "attributes.random.54321:v-5432*")).isEqualTo(1);
    assertThat(count(noisy, "noisy", "attributes.random.54321:[v-5 TO v-6}")).isEqualTo(1);
    assertThat(count(noisy, "noisy", "attributes.random.54321:* AND attributes.random.54322:v-54322")).isEqualTo(1);

    // another tenant's table: its keys own fields, untouched by the noisy tenant's
    assertThat(registry.attributeFields("quiet", "logs"))
        .containsExactlyInAnyOrder("attributes.http.method", "attributes.user.id");
    assertThat(attributeFieldCount(quiet)).isEqualTo(2);
    assertThat(count(quiet, "quiet", "attributes.user.id:u-7")).isEqualTo(1);

    // the owned set is stable: a later segment of the noisy table puts new keys in the catch-all
    Directory later = new ByteBuffersDirectory();
    index(later, "noisy", 1, row -> Map.of("random.0", "again", "brand.new", "x"));
    assertThat(registry.attributeFields("noisy", "logs")).hasSize(BOUND).doesNotContain("attributes.brand.new");
    assertThat(count(later, "noisy", "attributes.random.0:again AND attributes.brand.new:x")).isEqualTo(1);
  }

  private interface Attributes {
    Map<String, String> of(int row);
  }

  /** Indexes {@code rows} log rows of {@code tenant}'s logs table into {@code directory}. */
  private void index(Directory directory, String tenant, int rows, Attributes attributes) throws IOException {
    AttributeFields fields = new AttributeFields(registry.attributeFields(tenant, "logs"), BOUND,
        wanted -> registry.claimAttributeFields(tenant, "logs", wanted, BOUND));
    try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(QueryLanguage.ANALYZER))) {
      for (int i = 0; i < rows; i++) {
        Record row = GenericRecord.create(IndexedTable.LOGS.projection(TableSchemas.LOGS.schema()));
        row.setField("time", OffsetDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC).plusSeconds(i));
        row.setField("body", "row " + i);
        row.setField("attributes", attributes.of(i));
        writer.addDocument(IndexedTable.LOGS.document(row, "file.parquet", i, null, fields));
      }
    }
  }

  private static long attributeFieldCount(Directory directory) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      List<String> names = new ArrayList<>();
      for (FieldInfo field : FieldInfos.getMergedFieldInfos(reader)) {
        names.add(field.name);
      }
      return names.stream().filter(name -> name.startsWith("attributes.")).count();
    }
  }

  /** Rows matching {@code query} as the search service runs it: parsed, then rewritten for the table. */
  private long count(Directory directory, String tenant, String query) throws IOException {
    Query rewritten = AttributeFields.rewrite(QueryLanguage.parse(query, IndexedTable.LOGS),
        registry.attributeFields(tenant, "logs"));
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      return new IndexSearcher(reader).count(rewritten);
    }
  }
}
