package io.openwit.index.format;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Which attribute keys of one table are Lucene fields of their own ({@code attributes.<key>},
 * {@code resource_attributes.<key>}): the first {@code index.max_attribute_fields} keys the table
 * meets, kept in the index registry, so a tenant sending random keys cannot grow its segments'
 * field count without bound. Every other key is indexed in its map's catch-all field
 * ({@code attributes._other}) as the term {@code <key>=<value>}, and {@link #rewrite} makes a query
 * on such a key search the catch-all too, so the query language reaches every key the same way.
 */
public final class AttributeFields {
  /** The catch-all field of a map: {@code <map>._other}. */
  public static final String CATCH_ALL_SUFFIX = "._other";
  /** Separates key and value in a catch-all term. */
  public static final char SEPARATOR = '=';
  /** Longer field names never own a field; longer keys are not indexed at all (Lucene bounds a term). */
  public static final int MAX_FIELD_LENGTH = 300;
  static final List<String> MAPS = List.of("attributes", "resource_attributes");

  private final Set<String> owned;
  private final int max;
  private final Function<List<String>, Set<String>> claim;

  /**
   * {@code owned}: the fields the table owns so far; {@code claim} asks the registry for more and
   * answers every field the table then owns (first come first served up to {@code max}).
   */
  public AttributeFields(Set<String> owned, int max, Function<List<String>, Set<String>> claim) {
    this.owned = new HashSet<>(owned);
    this.max = max;
    this.claim = claim;
  }

  /**
   * Claims fields of their own for those of {@code fields} ({@code <map>.<key>}) not owned yet, in
   * one registry call, while the table has room; {@link #owns} then answers for each.
   */
  void claimRoomFor(List<String> fields) {
    if (owned.size() >= max) {
      return;
    }
    List<String> wanted = fields.stream().filter(field -> !owned.contains(field) && mayOwn(field)).toList();
    if (!wanted.isEmpty()) {
      owned.addAll(claim.apply(wanted));
    }
  }

  /** Whether {@code field} is a field of its own (else its terms go to the catch-all). */
  boolean owns(String field) {
    return owned.contains(field);
  }

  private static boolean mayOwn(String field) {
    return field.length() <= MAX_FIELD_LENGTH && !field.endsWith(CATCH_ALL_SUFFIX);
  }

  /** The catch-all field of {@code map}. */
  public static String catchAll(String map) {
    return map + CATCH_ALL_SUFFIX;
  }

  /**
   * {@code query} with every term on an attribute field the table does not own ({@code owned})
   * also looked for in that map's catch-all field. Segments written before the bound keep such keys
   * as fields of their own, so the field itself is still searched too.
   */
  public static Query rewrite(Query query, Set<String> owned) {
    if (query instanceof BooleanQuery bool) {
      BooleanQuery.Builder builder = new BooleanQuery.Builder().setMinimumNumberShouldMatch(bool.getMinimumNumberShouldMatch());
      for (BooleanClause clause : bool.clauses()) {
        builder.add(rewrite(clause.getQuery(), owned), clause.getOccur());
      }
      return builder.build();
    }
    if (query instanceof BoostQuery boost) {
      return new BoostQuery(rewrite(boost.getQuery(), owned), boost.getBoost());
    }
    if (query instanceof ConstantScoreQuery constant) {
      return new ConstantScoreQuery(rewrite(constant.getQuery(), owned));
    }
    String field = fieldOf(query);
    if (field == null || owned.contains(field)) {
      return query;
    }
    for (String map : MAPS) {
      if (field.startsWith(map + ".") && !field.equals(catchAll(map))) {
        Query inCatchAll = inCatchAll(query, catchAll(map), field.substring(map.length() + 1));
        return inCatchAll == null ? query : new BooleanQuery.Builder()
            .add(query, BooleanClause.Occur.SHOULD)
            .add(inCatchAll, BooleanClause.Occur.SHOULD)
            .build();
      }
    }
    return query;
  }

  private static String fieldOf(Query query) {
    if (query instanceof TermQuery term) {
      return term.getTerm().field();
    }
    if (query instanceof WildcardQuery wildcard) {
      return wildcard.getField();
    }
    if (query instanceof PrefixQuery prefix) {
      return prefix.getField();
    }
    if (query instanceof TermRangeQuery range) {
      return range.getField();
    }
    return null;
  }

  /** The query on key {@code key} of the catch-all field; null for kinds of query it cannot carry over. */
  private static Query inCatchAll(Query query, String catchAll, String key) {
    String keyed = key + SEPARATOR;
    if (query instanceof TermQuery term) {
      return new TermQuery(new Term(catchAll, keyed + term.getTerm().text()));
    }
    if (query instanceof WildcardQuery wildcard) {
      return new WildcardQuery(new Term(catchAll, escapeWildcards(keyed) + wildcard.getTerm().text()));
    }
    if (query instanceof PrefixQuery prefix) {
      return new PrefixQuery(new Term(catchAll, keyed + prefix.getPrefix().text()));
    }
    if (query instanceof TermRangeQuery range) {
      // an open end stays within the key's terms: '>' is the character after '='
      BytesRef lower = new BytesRef(keyed + (range.getLowerTerm() == null ? "" : range.getLowerTerm().utf8ToString()));
      BytesRef upper = range.getUpperTerm() == null ? new BytesRef(key + (char) (SEPARATOR + 1))
          : new BytesRef(keyed + range.getUpperTerm().utf8ToString());
      return new TermRangeQuery(catchAll, lower, upper, range.includesLower() || range.getLowerTerm() == null,
          range.getUpperTerm() != null && range.includesUpper());
    }
    return null;
  }

  private static String escapeWildcards(String text) {
    StringBuilder escaped = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '*' || c == '?' || c == '\\') {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }
}
