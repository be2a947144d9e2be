package io.openwit.query.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.common.auth.Authenticator;
import io.openwit.common.auth.Principal;
import io.openwit.common.auth.PrincipalDecorator;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.ListenAddress;
import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.http.ApiResponses;
import io.openwit.common.metastore.Metastore;
import io.openwit.common.observe.NodeHeartbeat;
import io.openwit.common.observe.ObservabilityRoutes;
import io.openwit.query.search.FullTextSearch;
import io.openwit.query.search.QueryDeadline;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.lucene.search.IndexSearcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API (port 8083): {@code GET /api/v1/traces/{trace_id}[?start=&end=]}, every span of a
 * trace as JSON, and full-text search ({@code /api/v1/search}, {@code /api/v1/search/histogram},
 * see {@link SearchApi}). The tenant comes from the API key, as for ingestion, so a key never reads another
 * tenant's namespace. Tables are read through the Iceberg REST catalog.
 */
public final class QueryApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryApiServer.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final int MAX_YEARS_AWAY = 100;
  private static final Duration DEADLINE_GRACE = Duration.ofSeconds(5);
  private static final String RETRY_AFTER_SECONDS = "1";
  private static final Set<String> TRACE_PARAMETERS = Set.of("start", "end", "tenant");

  private final Server server;
  private final RESTCatalog catalog;
  private final Authenticator authenticator;
  private final FullTextSearch search;
  private final NodeHeartbeat heartbeat;

  private QueryApiServer(Server server, RESTCatalog catalog, Authenticator authenticator, FullTextSearch search,
      NodeHeartbeat heartbeat) {
    this.server = server;
    this.catalog = catalog;
    this.authenticator = authenticator;
    this.search = search;
    this.heartbeat = heartbeat;
  }

  public static QueryApiServer start(OpenWitConfig config) {
    RESTCatalog catalog = new RESTCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("openwit", ServiceCredential.catalogClientProperties(config));
    Metastore metastore = Metastore.of(config);
    if (config.auth().enabled()) {
      metastore.migrate();
    }
    Authenticator authenticator = Authenticator.of(config, metastore);
    TraceLookup traces = new TraceLookup(catalog);
    FullTextSearch search = new FullTextSearch(metastore.indexes(), config.dataPath().resolve("query").resolve("index-cache"));
    TenantQueryLimiter limiter = new TenantQueryLimiter(config.query().maxConcurrentPerTenant());
    SearchApi searchApi = new SearchApi(catalog, search, limiter);
    long timeoutMs = config.query().timeoutMs();
    // the server's own request timeout must not answer (503) before a query's deadline does (504)
    Duration routeTimeout = Duration.ofMillis(timeoutMs).plus(DEADLINE_GRACE);
    Map<String, BooleanSupplier> readiness = Map.of("catalog", () -> catalogAnswers(catalog),
        "metastore", metastore::isReachable);

    ServerBuilder builder = Server.builder().http(ListenAddress.of(config, config.query().port()));
    // every route under /api/ wants a key, including ones added later
    builder.decoratorUnder("/api/", PrincipalDecorator.anyKey(authenticator, ApiResponses::error));
    builder.route().get("/api/v1/auth/whoami")
        .build((ctx, request) -> whoami(PrincipalDecorator.of(ctx)));
    builder.route().get("/api/v1/traces/{traceId}").requestTimeout(routeTimeout)
        .build((ctx, request) -> {
          QueryDeadline deadline = deadline(ctx, timeoutMs);
          return query(ctx, () -> trace(traces, limiter, ctx, deadline));
        });
    builder.route().methods(HttpMethod.GET, HttpMethod.POST).path("/api/v1/search").requestTimeout(routeTimeout)
        .build((ctx, request) -> {
          QueryDeadline deadline = deadline(ctx, timeoutMs);
          return HttpResponse.of(request.aggregate()
              .thenApply(aggregated -> query(ctx, () -> searchApi.search(ctx, aggregated, deadline))));
        });
    builder.route().methods(HttpMethod.GET, HttpMethod.POST).path("/api/v1/search/histogram")
        .requestTimeout(routeTimeout)
        .build((ctx, request) -> {
          QueryDeadline deadline = deadline(ctx, timeoutMs);
          return HttpResponse.of(request.aggregate()
              .thenApply(aggregated -> query(ctx, () -> searchApi.histogram(ctx, aggregated, deadline))));
        });
    ObservabilityRoutes.addTo(builder, readiness, authenticator);
    Server server = builder.build();
    server.start().join();
    NodeHeartbeat heartbeat = NodeHeartbeat.start(config, "query-api", server.activeLocalPort(),
        () -> ObservabilityRoutes.isReady(readiness));
    LOG.info("query API on port {}", server.activeLocalPort());
    return new QueryApiServer(server, catalog, authenticator, search, heartbeat);
  }

  /**
   * The tenant whose data a request reads: a tenant key's own (naming another one is a 403); an
   * admin or the service names one with the {@code X-OpenWit-Tenant} header or {@code requested}
   * (the {@code tenant} parameter), else {@code default}.
   */
  static String tenant(ServiceRequestContext ctx, String requested) {
    String header = ctx.request().headers().get(Principal.TENANT_HEADER);
    return PrincipalDecorator.of(ctx).tenantFor(header != null ? header : requested);
  }

  /** Who a key belongs to, so other doors (Trino's password authenticator) can check a login. */
  private static HttpResponse whoami(Principal principal) {
    ObjectNode body = NODES.objectNode();
    body.put("principal", principal.kind().name().toLowerCase(Locale.ROOT));
    if (principal.tenant() != null) {
      body.put("tenant", principal.tenant());
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  /** The query's deadline, from its arrival; cancelled once its answer is sent or its caller has gone. */
  private static QueryDeadline deadline(ServiceRequestContext ctx, long timeoutMs) {
    QueryDeadline deadline = QueryDeadline.in(timeoutMs);
    ctx.log().whenComplete().thenRun(deadline::cancel);
    return deadline;
  }

  /**
   * Runs a query on the server's blocking executor: one stopped at its deadline answers 504, one
   * over its tenant's bound 429 with {@code Retry-After}, one Lucene finds too large to run (too
   * many clauses once nested groups are counted) 400.
   */
  private static HttpResponse query(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return ApiResponses.blocking(ctx, () -> {
      try {
        return work.get();
      } catch (QueryDeadline.QueryTimedOutException e) {
        return ApiResponses.error(HttpStatus.GATEWAY_TIMEOUT, e.getMessage());
      } catch (TenantQueryLimiter.TooManyQueriesException e) {
        ctx.addAdditionalResponseHeader(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return ApiResponses.error(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
      } catch (IndexSearcher.TooManyClauses e) {
        return ApiResponses.error(HttpStatus.BAD_REQUEST, "'query' has more than " + IndexSearcher.getMaxClauseCount()
            + " terms and clauses in all; split it into smaller queries");
      }
    });
  }

  private static HttpResponse trace(TraceLookup traces, TenantQueryLimiter limiter, ServiceRequestContext ctx,
      QueryDeadline deadline) {
    QueryParams params = ctx.queryParams();
    String tenant = tenant(ctx, params.get("tenant"));
    String traceId;
    Instant from;
    Instant to;
    try {
      SearchApi.refuseUnknown(params.names(), TRACE_PARAMETERS);
      traceId = TraceLookup.normalize(ctx.pathParam("traceId"));
      from = instant(params.get("start"), "start");
      to = instant(params.get("end"), "end");
    } catch (IllegalArgumentException e) {
      return ApiResponses.error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    List<ObjectNode> spans;
    try (TenantQueryLimiter.Permit permit = limiter.admit(tenant)) {
      spans = traces.spans(tenant, traceId, from, to, deadline);
    }
    if (spans.isEmpty()) {
      return ApiResponses.error(HttpStatus.NOT_FOUND, "no spans of trace " + traceId + " in tenant '" + tenant + "'"
          + (from != null || to != null ? " between start and end" : ""));
    }
    ObjectNode body = NODES.objectNode();
    body.put("trace_id", traceId);
    body.put("span_count", spans.size());
    ArrayNode array = body.putArray("spans");
    spans.forEach(array::add);
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  /**
   * An ISO-8601 instant or epoch milliseconds within {@value #MAX_YEARS_AWAY} years of now; null
   * when absent. Farther ones are no telemetry's time, and their microseconds overflow.
   */
  static Instant instant(String value, String name) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Instant instant;
    try {
      instant = value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value))
          : Instant.parse(value);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 instant or epoch milliseconds, got '"
          + value + "'");
    }
    Instant now = Instant.now();
    Duration away = Duration.ofDays(MAX_YEARS_AWAY * 366L);
    if (instant.isBefore(now.minus(away)) || instant.isAfter(now.plus(away))) {
      throw new IllegalArgumentException("'" + name + "' must be within " + MAX_YEARS_AWAY + " years of now, got '"
          + value + "'");
    }
    return instant;
  }


  private static boolean catalogAnswers(RESTCatalog catalog) {
    try {
      catalog.listNamespaces();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() throws Exception {
    heartbeat.close();
    server.stop().join();
    authenticator.close();
    search.close();
    catalog.close();
  }
}
