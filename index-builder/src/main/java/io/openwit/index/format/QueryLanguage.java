package io.openwit.index.format;

import java.text.NumberFormat;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.DelegatingAnalyzerWrapper;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.queryparser.flexible.core.QueryNodeException;
import org.apache.lucene.queryparser.flexible.standard.StandardQueryParser;
import org.apache.lucene.queryparser.flexible.standard.config.PointsConfig;
import org.apache.lucene.queryparser.flexible.standard.config.StandardQueryConfigHandler;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;

/**
 * The search query language: Lucene's query syntax (words, "phrases", field:value, AND/OR/NOT,
 * wildcards, ranges such as {@code severity_number:[17 TO 24]} or {@code duration_ns>1000000}).
 * Bare words must all match (AND), as in Quickwit; an empty query matches everything.
 */
public final class QueryLanguage {
  /** The analyzer of full-text fields at index and query time; exact fields keep terms whole. */
  public static final Analyzer ANALYZER = new DelegatingAnalyzerWrapper(Analyzer.PER_FIELD_REUSE_STRATEGY) {
    private final Analyzer text = new StandardAnalyzer();
    private final Analyzer exact = new KeywordAnalyzer();

    @Override
    protected Analyzer getWrappedAnalyzer(String fieldName) {
      // no field yet: a field-less wildcard, normalized before it is spread over the full-text columns
      return fieldName == null || IndexedTable.isFullText(fieldName) ? text : exact;
    }
  };

  /** Deeper nesting is no one's search, and the parser recurses once per level (a stack overflow). */
  public static final int MAX_DEPTH = 100;

  private QueryLanguage() {}

  /** The Lucene query of {@code query} over {@code table}; fails with the parser's message. */
  public static Query parse(String query, IndexedTable table) {
    if (query == null || query.isBlank() || query.strip().equals("*")) {
      return new MatchAllDocsQuery();
    }
    if (depth(query) > MAX_DEPTH) {
      throw new IllegalArgumentException("cannot parse query: it nests parentheses more than " + MAX_DEPTH
          + " levels deep");
    }
    StandardQueryParser parser = new StandardQueryParser(ANALYZER);
    parser.setMultiFields(table.defaultFields().toArray(String[]::new));
    parser.setDefaultOperator(StandardQueryConfigHandler.Operator.AND);
    parser.setAllowLeadingWildcard(true);
    Map<String, PointsConfig> points = new HashMap<>();
    table.numericColumns().forEach((column, type) ->
        points.put(column, new PointsConfig(NumberFormat.getIntegerInstance(Locale.ROOT), type)));
    parser.setPointsConfigMap(points);
    try {
      // no default field: field-less words go to every full-text column (setMultiFields)
      return parser.parse(query, null);
    } catch (QueryNodeException e) {
      throw new IllegalArgumentException("cannot parse query '" + query + "': " + e.getMessage(), e);
    }
  }

  /** The deepest parenthesis and bracket nesting outside quoted phrases, escapes skipped. */
  static int depth(String query) {
    int depth = 0;
    int deepest = 0;
    boolean quoted = false;
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '[' || c == '{')) {
        deepest = Math.max(deepest, ++depth);
      } else if (!quoted && (c == ')' || c == ']' || c == '}')) {
        depth = Math.max(0, depth - 1);
      }
    }
    return deepest;
  }
}
