package io.openwit.query.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ExitableDirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

class QueryDeadlineTest {
  private static final int DOCS = 200_000;

  @Test
  void anExpiredDeadlineThrowsNamingTheKey() throws InterruptedException {
    QueryDeadline deadline = QueryDeadline.in(1);
    Thread.sleep(5);
    assertThat(deadline.shouldExit()).isTrue();
    assertThatThrownBy(deadline::check).isInstanceOf(QueryDeadline.QueryTimedOutException.class)
        .hasMessageContaining("query.timeout_ms").hasMessageContaining("(1 ms)");
  }

  @Test
  void aCancelledDeadlineStopsAtOnce() {
    QueryDeadline deadline = QueryDeadline.in(60_000);
    assertThat(deadline.shouldExit()).isFalse();
    deadline.check();
    deadline.cancel();
    assertThat(deadline.shouldExit()).isTrue();
  }

  /** Scoring stops soon after the deadline passes, instead of visiting every document. */
  @Test
  void luceneStopsCollectingOnceTheDeadlinePasses() throws IOException {
    try (ByteBuffersDirectory directory = index(); DirectoryReader reader = DirectoryReader.open(directory)) {
      QueryDeadline deadline = QueryDeadline.in(60_000);
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setTimeout(deadline);
      CountingCollector collector = new CountingCollector(deadline, 1_000);
      searcher.search(new MatchAllDocsQuery(), collector);
      assertThat(searcher.timedOut()).isTrue();
      assertThat(collector.collected).isLessThan(DOCS / 2);
    }
  }

  /** Term expansion (a leading wildcard visits every term) stops through the exitable reader. */
  @Test
  void termExpansionStopsOnceTheDeadlinePasses() throws IOException {
    try (ByteBuffersDirectory directory = index(); DirectoryReader reader = DirectoryReader.open(directory)) {
      QueryDeadline deadline = QueryDeadline.in(60_000);
      deadline.cancel();
      IndexSearcher searcher = new IndexSearcher(new ExitableDirectoryReader(reader, deadline));
      assertThatThrownBy(() -> searcher.count(new WildcardQuery(new Term("id", "*7"))))
          .isInstanceOf(ExitableDirectoryReader.ExitingReaderException.class);
    }
  }

  private static ByteBuffersDirectory index() throws IOException {
    ByteBuffersDirectory directory = new ByteBuffersDirectory();
    try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig())) {
      for (int i = 0; i < DOCS; i++) {
        Document document = new Document();
        document.add(new StringField("id", "doc-" + i, Field.Store.NO));
        writer.addDocument(document);
      }
      writer.forceMerge(1);
    }
    return directory;
  }

  /** Counts documents and cancels the deadline after {@code cancelAfter} of them, as a caller leaving would. */
  private static final class CountingCollector extends SimpleCollector {
    private final QueryDeadline deadline;
    private final int cancelAfter;
    private int collected;

    CountingCollector(QueryDeadline deadline, int cancelAfter) {
      this.deadline = deadline;
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void collect(int doc) {
      if (++collected == cancelAfter) {
        deadline.cancel();
      }
    }

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }
  }
}
