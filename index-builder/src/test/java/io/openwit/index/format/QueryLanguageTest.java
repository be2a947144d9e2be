package io.openwit.index.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openwit.common.schema.TableSchemas;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The log document layout and the query language over it: which query finds which rows. */
class QueryLanguageTest {
  private static final String[] BODIES = {
      "connection refused by db-3 after 120ms",
      "Request TIMEOUT while calling inventory",
      "payment declined: card expired",
      "refused to connect; connection reset",
      "user_id=42 logged in from example.com",
  };
  private static final ByteBuffersDirectory DIRECTORY = new ByteBuffersDirectory();
  /** No bound here: every attribute key gets a field of its own (AttributeFieldsTest covers the bound). */
  private static final AttributeFields EVERY_KEY_OWNED = new AttributeFields(Set.of(), Integer.MAX_VALUE, Set::copyOf);

  @BeforeAll
  static void index() throws IOException {
    try (IndexWriter writer = new IndexWriter(DIRECTORY, new IndexWriterConfig(QueryLanguage.ANALYZER))) {
      for (int i = 0; i < BODIES.length; i++) {
        Record row = GenericRecord.create(IndexedTable.LOGS.projection(TableSchemas.LOGS.schema()));
        row.setField("time", OffsetDateTime.of(2026, 11, 22, 10, 0, i, 0, ZoneOffset.UTC));
        row.setField("body", BODIES[i]);
        row.setField("severity_text", i % 2 == 0 ? "ERROR" : "INFO");
        row.setField("severity_number", i % 2 == 0 ? 17 : 9);
        row.setField("service_name", i < 2 ? "checkout" : "billing");
        row.setField("attributes", Map.of("http.status_code", Integer.toString(500 + i), "user.id", "u-" + i));
        writer.addDocument(IndexedTable.LOGS.document(row, "file-" + (i % 2) + ".parquet", i, null, EVERY_KEY_OWNED));
      }
    }
  }

  @Test
  void spanWordsSearchBothTheNameAndTheStatusMessage() {
    assertThat(QueryLanguage.parse("\"not found\"", IndexedTable.SPANS).toString())
        .isEqualTo("name:\"not found\" status_message:\"not found\"");
    assertThat(QueryLanguage.parse("Refus* AND kind:SERVER", IndexedTable.SPANS).toString())
        .isEqualTo("+(name:refus* status_message:refus*) +kind:SERVER");
  }

  @Test
  void wordsAreCaseInsensitiveAndMustAllMatch() throws IOException {
    assertThat(rows("timeout")).containsExactly(1);
    assertThat(rows("TimeOut")).containsExactly(1);
    assertThat(rows("connection refused")).containsExactly(0, 3);
    assertThat(rows("connection OR declined")).containsExactly(0, 2, 3);
  }

  @Test
  void phrasesNeedTheWordsInOrder() throws IOException {
    assertThat(rows("\"connection refused\"")).containsExactly(0);
    assertThat(rows("\"refused connection\"")).isEmpty();
  }

  @Test
  void fieldsMatchWholeCaseSensitiveTerms() throws IOException {
    assertThat(rows("severity_text:ERROR")).containsExactly(0, 2, 4);
    assertThat(rows("severity_text:error")).isEmpty();
    assertThat(rows("service_name:checkout AND NOT timeout")).containsExactly(0);
    assertThat(rows("attributes.http.status_code:502")).containsExactly(2);
    assertThat(rows("attributes.user.id:u-3")).containsExactly(3);
    assertThat(rows("body.keyword:\"payment declined: card expired\"")).containsExactly(2);
  }

  @Test
  void wildcardsAndNumericRanges() throws IOException {
    assertThat(rows("refus*")).containsExactly(0, 3);
    assertThat(rows("*xpired")).containsExactly(2);
    assertThat(rows("severity_number:[10 TO 24]")).containsExactly(0, 2, 4);
    assertThat(rows("severity_number>=17")).containsExactly(0, 2, 4);
    assertThat(rows("*")).containsExactly(0, 1, 2, 3, 4);
    assertThat(rows("")).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void malformedQueriesAreRejectedByName() {
    assertThatThrownBy(() -> QueryLanguage.parse("body:(unclosed", IndexedTable.LOGS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot parse query 'body:(unclosed'");
  }

  /** Positions (the test's row numbers) of the rows {@code query} matches, in order. */
  private static List<Integer> rows(String query) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(DIRECTORY)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      List<Integer> rows = new ArrayList<>();
      for (ScoreDoc hit : searcher.search(QueryLanguage.parse(query, IndexedTable.LOGS), 100).scoreDocs) {
        NumericDocValues positions = reader.leaves().get(0).reader().getNumericDocValues(IndexedTable.POSITION);
        positions.advanceExact(hit.doc);
        rows.add((int) positions.longValue());
      }
      rows.sort(Integer::compare);
      return rows;
    }
  }

  @Test
  void deeplyNestedQueriesAreRefusedBeforeTheParserRecurses() {
    String nested = "(".repeat(5_000) + "timeout" + ")".repeat(5_000);
    assertThatThrownBy(() -> QueryLanguage.parse(nested, IndexedTable.LOGS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 100 levels");
    String deepest = "(".repeat(QueryLanguage.MAX_DEPTH) + "timeout" + ")".repeat(QueryLanguage.MAX_DEPTH);
    assertThat(QueryLanguage.parse(deepest, IndexedTable.LOGS)).isNotNull();
    assertThat(QueryLanguage.depth("body:\"((((\" AND (a OR b) AND severity_number:[1 TO 9]")).isEqualTo(1);
  }
}
