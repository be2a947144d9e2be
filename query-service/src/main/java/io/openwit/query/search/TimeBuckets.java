package io.openwit.query.search;

import io.openwit.index.format.IndexedTable;
import java.io.IOException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;

/** Counts matching documents per time bucket, from the documents' time doc values. */
final class TimeBuckets extends SimpleCollector {
  private final long[] counts;
  private final long fromMicros;
  private final long intervalMicros;
  private NumericDocValues times;

  TimeBuckets(long[] counts, long fromMicros, long intervalMicros) {
    this.counts = counts;
    this.fromMicros = fromMicros;
    this.intervalMicros = intervalMicros;
  }

  @Override
  protected void doSetNextReader(LeafReaderContext context) throws IOException {
    times = context.reader().getNumericDocValues(IndexedTable.TIME);
  }

  @Override
  public void collect(int doc) throws IOException {
    if (times != null && times.advanceExact(doc)) {
      int bucket = (int) ((times.longValue() - fromMicros) / intervalMicros);
      if (bucket >= 0 && bucket < counts.length) {
        counts[bucket]++;
      }
    }
  }

  @Override
  public ScoreMode scoreMode() {
    return ScoreMode.COMPLETE_NO_SCORES;
  }
}
