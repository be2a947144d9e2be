package io.openwit.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.openwit.common.auth.AccessDeniedException;
import io.openwit.common.metastore.MetastoreException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON for OpenWit's own HTTP APIs (catalog, query API): snake_case fields, times ({@code *_at}, {@code last_heartbeat})
 * as ISO-8601 instants, errors as {@code {"error": {"code", "message"}}}.
 */
public final class ApiResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ApiResponses() {}

  public static HttpResponse ok(Object body) {
    return json(HttpStatus.OK, body);
  }

  public static HttpResponse json(HttpStatus status, Object body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, MAPPER.writeValueAsString(withInstants(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass() + " as JSON", e);
    }
  }

  /**
   * Runs {@code work} (it queries the metastore, so it blocks) on the server's blocking executor;
   * a failure becomes a JSON error: 403 for a caller who may not, 503 when the metastore does not
   * answer, 500 otherwise.
   */
  public static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(CompletableFuture.supplyAsync(work, ctx.blockingTaskExecutor()).exceptionally(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof AccessDeniedException) {
        return error(HttpStatus.FORBIDDEN, cause.getMessage());
      }
      LOG.warn("{} {} failed", ctx.method(), ctx.path(), cause);
      return cause instanceof MetastoreException
          ? error(HttpStatus.SERVICE_UNAVAILABLE, "the metastore did not answer: " + cause.getMessage())
          : error(HttpStatus.INTERNAL_SERVER_ERROR, cause.toString());
    }));
  }

  public static HttpResponse error(HttpStatus status, String message) {
    return json(status, Map.of("error", Map.of("code", status.code(), "message", message)));
  }

  /** Records and maps as JSON trees, with epoch-millisecond times written as instants. */
  private static Object withInstants(Object body) {
    Object tree = MAPPER.convertValue(body, Object.class);
    return convert(null, tree);
  }

  @SuppressWarnings("unchecked")
  private static Object convert(String key, Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> converted = new LinkedHashMap<>();
      ((Map<String, Object>) map).forEach((name, child) -> converted.put(name, convert(name, child)));
      return converted;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(child -> convert(null, child)).toList();
    }
    if (key != null && value instanceof Number number && isTime(key)) {
      return Instant.ofEpochMilli(number.longValue()).toString();
    }
    return value;
  }

  private static boolean isTime(String key) {
    return key.endsWith("_at") || key.equals("last_heartbeat");
  }
}
