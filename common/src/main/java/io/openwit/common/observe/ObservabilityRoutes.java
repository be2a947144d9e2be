package io.openwit.common.observe;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import io.openwit.common.auth.Authenticator;
import io.openwit.common.auth.PrincipalDecorator;
import io.openwit.common.http.ApiResponses;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The routes every OpenWit HTTP server carries: {@code /metrics} (Prometheus text),
 * {@code /health/live} (the process answers) and {@code /health/ready} (each dependency answers;
 * 503 naming the ones that do not).
 */
public final class ObservabilityRoutes {
  private ObservabilityRoutes() {}

  /**
   * Adds the routes to {@code server}; {@code readiness} names each dependency's check. Health is
   * open to all (load balancers and probes carry no key); {@code /metrics} to this machine, and
   * from elsewhere to an admin or service key when {@code authenticator} is on.
   */
  public static void addTo(ServerBuilder server, Map<String, BooleanSupplier> readiness, Authenticator authenticator) {
    PrincipalDecorator operators = PrincipalDecorator.operators(authenticator, ApiResponses::error);
    server.route().path("/metrics")
        .decorator((delegate, ctx, request) -> isLoopback(ctx.remoteAddress())
            ? delegate.serve(ctx, request) : operators.serve(delegate, ctx, request))
        .build((ctx, request) -> HttpResponse.of(
            HttpStatus.OK, MediaType.parse(ProcessMetrics.CONTENT_TYPE), ProcessMetrics.scrape()));
    server.service("/health/live", (ctx, request) -> HttpResponse.of(
        HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"up\"}"));
    server.service("/health/ready", (ctx, request) -> HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      Map<String, Boolean> checks = check(readiness);
      boolean ready = !checks.containsValue(false);
      StringBuilder json = new StringBuilder("{\"status\":\"").append(ready ? "up" : "down").append("\",\"checks\":{");
      String separator = "";
      for (Map.Entry<String, Boolean> check : checks.entrySet()) {
        json.append(separator).append('"').append(check.getKey()).append("\":\"")
            .append(check.getValue() ? "up" : "down").append('"');
        separator = ",";
      }
      json.append("}}");
      return HttpResponse.of(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON_UTF_8,
          json.toString());
    }, ctx.blockingTaskExecutor())));
  }

  private static boolean isLoopback(InetSocketAddress remote) {
    return remote.getAddress() != null && remote.getAddress().isLoopbackAddress();
  }

  /** Runs every check; true only when all pass. */
  public static boolean isReady(Map<String, BooleanSupplier> readiness) {
    return !check(readiness).containsValue(false);
  }

  /** A check that throws is a dependency that does not answer. */
  private static boolean passes(BooleanSupplier check) {
    try {
      return check.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Map<String, Boolean> check(Map<String, BooleanSupplier> readiness) {
    Map<String, Boolean> results = new LinkedHashMap<>();
    readiness.forEach((name, check) -> results.put(name, passes(check)));
    return results;
  }
}
