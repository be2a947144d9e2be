package io.openwit.query.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.schema.TableSchemas;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.QueryLanguage;
import io.openwit.query.search.FullTextSearch;
import io.openwit.query.search.QueryDeadline;
import io.openwit.query.search.RowFetcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.lucene.search.Query;

/**
 * {@code /api/v1/search} and {@code /api/v1/search/histogram}: full-text search of the caller's
 * logs or spans, by query string ({@code query} or {@code q}), time range ({@code start} inclusive,
 * {@code end} exclusive: ISO-8601 or epoch milliseconds), {@code signal} (logs, or traces/spans),
 * {@code limit} (default 20, at most 10,000), {@code search_after} (an earlier answer's
 * {@code next_search_after}, for the next page) and, for histograms, {@code interval} (such as 30s,
 * 5m, 1h; chosen for about 100 buckets when absent). Parameters come from the query string (GET)
 * or a JSON object (POST); any other parameter is refused. Each query holds one of its tenant's
 * places ({@link TenantQueryLimiter}) and stops at its {@link QueryDeadline}.
 */
final class SearchApi {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 10_000;
  static final int MAX_BUCKETS = 10_000;
  private static final long WEEK_MS = 604_800_000L;
  private static final Set<String> COMMON_PARAMETERS = Set.of("query", "q", "signal", "start", "end", "tenant");
  private static final Set<String> SEARCH_PARAMETERS = union(COMMON_PARAMETERS, "limit", "search_after");
  private static final Set<String> HISTOGRAM_PARAMETERS = union(COMMON_PARAMETERS, "interval");
  /** The longest interval: the whole span dates may cover. */
  private static final long MAX_INTERVAL_MS = 2L * QueryApiServer.MAX_YEARS_AWAY * 366 * 86_400_000L;
  private static final long[] NICE_INTERVALS_MS = {1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000,
      3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, WEEK_MS};
  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Catalog catalog;
  private final FullTextSearch search;
  private final TenantQueryLimiter limiter;

  SearchApi(Catalog catalog, FullTextSearch search, TenantQueryLimiter limiter) {
    this.catalog = catalog;
    this.search = search;
    this.limiter = limiter;
  }

  /** A parsed request: the table, the query as sent and parsed, and the time range in epoch microseconds (inclusive). */
  private record Request(IndexedTable layout, String query, Query parsed, long fromMicros, long toMicros,
      boolean bounded, Map<String, String> parameters) {}

  HttpResponse search(ServiceRequestContext ctx, AggregatedHttpRequest http, QueryDeadline deadline) {
    long started = System.nanoTime();
    Request request;
    int limit;
    FullTextSearch.Hit after;
    try {
      request = parse(ctx, http, SEARCH_PARAMETERS);
      limit = intParameter(request.parameters(), "limit", DEFAULT_LIMIT);
      if (limit < 0 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("'limit' must be between 0 and " + MAX_LIMIT + ", got " + limit);
      }
      String cursor = request.parameters().get("search_after");
      after = cursor == null || cursor.isBlank() ? null : hitOf(cursor);
    } catch (IllegalArgumentException e) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    String tenant = QueryApiServer.tenant(ctx, request.parameters().get("tenant"));
    Optional<Table> table;
    List<Record> rows = List.of();
    long total = 0;
    String next = null;
    try (TenantQueryLimiter.Permit permit = limiter.admit(tenant)) {
      table = table(tenant, request.layout());
      if (table.isPresent()) {
        deadline.check();
        FullTextSearch.Hits found = run(() -> search.search(tenant, table.get(), request.layout(), request.parsed(),
            request.fromMicros(), request.toMicros(), limit, after, deadline));
        total = found.total();
        rows = RowFetcher.rows(table.get(), request.layout(), found.hits(), deadline);
        if (limit > 0 && found.hits().size() == limit && (after != null || total > limit)) {
          next = cursorOf(found.hits().get(limit - 1));
        }
      }
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    if (wantsArrow(http)) {
      Schema schema = table.map(Table::schema).orElse(request.layout() == IndexedTable.LOGS
          ? TableSchemas.LOGS_SCHEMA : TableSchemas.SPANS_SCHEMA);
      Map<String, String> metadata = new HashMap<>(Map.of("signal", signalName(request), "query", request.query(),
          "total_hits", Long.toString(total), "returned", Integer.toString(rows.size()), "took_ms", Long.toString(tookMs)));
      if (next != null) {
        metadata.put("next_search_after", next);
      }
      return HttpResponse.of(HttpStatus.OK, MediaType.parse(RecordArrow.MEDIA_TYPE),
          RecordArrow.write(schema, rows, metadata));
    }
    ObjectNode body = header(request);
    ArrayNode hits = NODES.arrayNode();
    rows.forEach(row -> hits.add(RecordJson.of(row)));
    body.put("total_hits", total);
    body.put("returned", hits.size());
    body.put("took_ms", tookMs);
    if (next != null) {
      body.put("next_search_after", next);
    }
    body.set("hits", hits);
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  /** An opaque cursor for {@code search_after}: the hit's time, position and data file. */
  private static String cursorOf(FullTextSearch.Hit hit) {
    String text = hit.timeMicros() + "," + hit.position() + "," + hit.dataFile();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static FullTextSearch.Hit hitOf(String cursor) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8).split(",", 3);
      return new FullTextSearch.Hit(parts[2], Long.parseLong(parts[1]), Long.parseLong(parts[0]), null);
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("'search_after' must be a next_search_after value of an earlier answer, got '"
          + cursor + "'");
    }
  }

  /** Whether the request's Accept header names the Arrow IPC stream media type. */
  private static boolean wantsArrow(AggregatedHttpRequest http) {
    return http.headers().accept().stream()
        .anyMatch(type -> RecordArrow.MEDIA_TYPE.equals(type.type() + "/" + type.subtype()));
  }

  HttpResponse histogram(ServiceRequestContext ctx, AggregatedHttpRequest http, QueryDeadline deadline) {
    long started = System.nanoTime();
    Request request;
    Long intervalMs;
    try {
      request = parse(ctx, http, HISTOGRAM_PARAMETERS);
      String interval = request.parameters().get("interval");
      intervalMs = interval == null || interval.isBlank() ? null : durationMs(interval);
      if (intervalMs != null && request.bounded()) {
        bucketCount(request.fromMicros(), request.toMicros(), intervalMs * 1000);
      }
    } catch (IllegalArgumentException e) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    String tenant = QueryApiServer.tenant(ctx, request.parameters().get("tenant"));
    ObjectNode body = header(request);
    ArrayNode buckets = NODES.arrayNode();
    long total = 0;
    try (TenantQueryLimiter.Permit permit = limiter.admit(tenant)) {
      Optional<Table> table = table(tenant, request.layout());
      long from = request.fromMicros();
      long to = request.toMicros();
      if (!request.bounded()) {
        long[] bounds = search.timeBounds(tenant, request.layout());
        if (bounds != null) {
          from = Math.max(from, bounds[0]);
          to = Math.min(to, bounds[1]);
        }
      }
      // an open end with nothing indexed leaves no range to cut into buckets (and no count to put in them)
      boolean finite = from != Long.MIN_VALUE && to != Long.MAX_VALUE;
      if (table.isPresent() && finite && from <= to) {
        long interval = (intervalMs != null ? intervalMs : autoIntervalMs(from, to)) * 1000;
        try {
          bucketCount(from, to, interval);
        } catch (IllegalArgumentException e) {
          // an open range took the indexed rows' times, which only now make too many buckets
          return ApiResponses.error(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        // buckets are aligned to multiples of the interval since the epoch, as charts expect
        long first = Math.floorDiv(from, interval) * interval;
        long finalFrom = from;
        long finalTo = to;
        deadline.check();
        long[] counts = run(() -> search.histogram(tenant, table.get(), request.layout(), request.parsed(),
            finalFrom, finalTo, first, interval, deadline));
        for (int i = 0; i < counts.length; i++) {
          ObjectNode bucket = buckets.addObject();
          bucket.put("start", Instant.EPOCH.plus(first + i * interval, ChronoUnit.MICROS).toString());
          bucket.put("count", counts[i]);
          total += counts[i];
        }
        body.put("interval_ms", interval / 1000);
      }
    }
    body.put("total_hits", total);
    body.put("took_ms", (System.nanoTime() - started) / 1_000_000);
    body.set("buckets", buckets);
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  private static ObjectNode header(Request request) {
    ObjectNode body = NODES.objectNode();
    body.put("signal", signalName(request));
    body.put("query", request.query());
    return body;
  }

  private static String signalName(Request request) {
    return request.layout() == IndexedTable.LOGS ? "logs" : "traces";
  }

  private Optional<Table> table(String tenant, IndexedTable layout) {
    try {
      return Optional.of(catalog.loadTable(TableIdentifier.of(tenant, layout.tableName())));
    } catch (NoSuchTableException | NoSuchNamespaceException e) {
      return Optional.empty();
    }
  }

  private interface IndexWork<T> {
    T run() throws IOException;
  }

  private static <T> T run(IndexWork<T> work) {
    try {
      return work.run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the index", e);
    }
  }

  private static Request parse(ServiceRequestContext ctx, AggregatedHttpRequest http, Set<String> known) {
    Map<String, String> parameters = new HashMap<>();
    if (http.method() == HttpMethod.POST) {
      JsonNode json;
      try {
        json = MAPPER.readTree(http.contentUtf8());
      } catch (IOException e) {
        throw new IllegalArgumentException("the request body must be a JSON object: " + e.getMessage());
      }
      if (json == null || !json.isObject()) {
        throw new IllegalArgumentException("the request body must be a JSON object");
      }
      json.fields().forEachRemaining(field -> parameters.put(field.getKey(),
          field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString()));
    } else {
      ctx.queryParams().names().forEach(name -> parameters.put(name, ctx.queryParams().get(name)));
    }
    refuseUnknown(parameters.keySet(), known);
    String query = parameters.getOrDefault("query", parameters.getOrDefault("q", ""));
    String signal = parameters.getOrDefault("signal", "logs").toLowerCase(Locale.ROOT);
    IndexedTable layout = switch (signal) {
      case "logs" -> IndexedTable.LOGS;
      case "traces", "spans" -> IndexedTable.SPANS;
      case "metrics" -> throw new IllegalArgumentException(
          "metrics are not full-text indexed; query the metrics table with SQL (Trino)");
      default -> throw new IllegalArgumentException("'signal' must be logs or traces, got '" + signal + "'");
    };
    Instant start = QueryApiServer.instant(parameters.get("start"), "start");
    Instant end = QueryApiServer.instant(parameters.get("end"), "end");
    long from = start == null ? Long.MIN_VALUE : micros(start);
    long to = end == null ? Long.MAX_VALUE : micros(end) - 1;
    if (from > to) {
      throw new IllegalArgumentException("'start' must be before 'end'");
    }
    return new Request(layout, query, QueryLanguage.parse(query, layout), from, to, start != null && end != null,
        parameters);
  }

  /** A misspelt parameter would otherwise be ignored silently, and the answer look right. */
  static void refuseUnknown(Set<String> given, Set<String> known) {
    for (String name : new TreeSet<>(given)) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; this endpoint takes "
            + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static Set<String> union(Set<String> common, String... more) {
    Set<String> all = new HashSet<>(common);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

  /**
   * How many buckets of {@code intervalMicros}, aligned to the epoch, cover {@code fromMicros} to
   * {@code toMicros}; more than {@value #MAX_BUCKETS} is refused, naming the interval and the range.
   */
  static int bucketCount(long fromMicros, long toMicros, long intervalMicros) {
    long first = Math.floorDiv(fromMicros, intervalMicros) * intervalMicros;
    long span = toMicros - first;
    // a negative span overflowed: a range longer than any interval can cut into few enough buckets
    if (first > fromMicros || span < 0 || span / intervalMicros + 1 > MAX_BUCKETS) {
      throw new IllegalArgumentException("'interval' of " + intervalMicros / 1000 + " ms cuts the range from 'start'"
          + " to 'end' into more than " + MAX_BUCKETS + " buckets; give a longer 'interval' or a shorter range");
    }
    return Math.toIntExact(span / intervalMicros + 1);
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static int intParameter(Map<String, String> parameters, String name, int fallback) {
    String value = parameters.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + name + "' must be an integer, got '" + value + "'");
    }
  }

  /** A duration such as 500ms, 30s, 5m, 1h or 1d, in milliseconds; at most the dates' span. */
  static long durationMs(String text) {
    Matcher matcher = DURATION.matcher(text.strip());
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      throw new IllegalArgumentException("'interval' must be a positive duration such as 30s, 5m or 1h, got '"
          + text + "'");
    }
    long amount = Long.parseLong(matcher.group(1));
    long unitMs = switch (matcher.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      default -> 86_400_000L;
    };
    if (amount > MAX_INTERVAL_MS / unitMs) {
      throw new IllegalArgumentException("'interval' must be at most " + 2 * QueryApiServer.MAX_YEARS_AWAY
          + " years, got '" + text + "'");
    }
    return amount * unitMs;
  }

  /**
   * The shortest usual interval that covers the range in at most about 100 buckets; past 100 weeks,
   * a whole number of weeks, so that no range makes too many buckets.
   */
  static long autoIntervalMs(long fromMicros, long toMicros) {
    long span = toMicros - fromMicros;
    long spanMs = span < 0 ? Long.MAX_VALUE / 1000 : Math.max(1, span / 1000);
    for (long interval : NICE_INTERVALS_MS) {
      if (spanMs / interval < 100) {
        return interval;
      }
    }
    return (spanMs / 100 / WEEK_MS + 1) * WEEK_MS;
  }
}
