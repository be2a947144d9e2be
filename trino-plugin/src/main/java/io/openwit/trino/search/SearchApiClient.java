package io.openwit.trino.search;

import static io.trino.spi.StandardErrorCode.GENERIC_INTERNAL_ERROR;
import static io.trino.spi.StandardErrorCode.INVALID_FUNCTION_ARGUMENT;
import static io.trino.spi.StandardErrorCode.PERMISSION_DENIED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trino.spi.TrinoException;
import io.trino.spi.function.table.Descriptor;
import io.trino.spi.type.TypeManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * The query API's {@code POST /api/v1/search}, asked for Arrow IPC answers. With the catalog's
 * service key, each request names the session user as its tenant ({@value #TENANT_HEADER}), which
 * the query API trusts from the service key only. An answer's schema metadata holds
 * {@code next_search_after} while more matches remain.
 */
final class SearchApiClient implements AutoCloseable {
  static final String NEXT_PAGE = "next_search_after";
  static final String TENANT_HEADER = "X-OpenWit-Tenant";
  private static final String ARROW = "application/vnd.apache.arrow.stream";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SearchConfig config;
  private final URI searchUri;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final BufferAllocator allocator = new RootAllocator();

  SearchApiClient(SearchConfig config) {
    this.config = config;
    this.searchUri = config.queryApi().resolve("/api/v1/search");
  }

  int pageRows() {
    return config.pageRows();
  }

  /** The columns of the request's table, from an answer without rows; a bad query fails here. */
  Descriptor columns(SearchRequest request, TypeManager types) {
    try (ArrowStreamReader answer = page(request, 0, null)) {
      return ArrowColumns.descriptor(answer.getVectorSchemaRoot().getSchema(), types);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Up to {@code limit} matches after {@code searchAfter} (null: the newest); the caller closes the reader. */
  ArrowStreamReader page(SearchRequest request, int limit, String searchAfter) {
    ObjectNode body = JSON.createObjectNode();
    body.put("query", request.query());
    body.put("signal", request.signal());
    body.put("limit", limit);
    if (request.startMs() != null) {
      body.put("start", request.startMs());
    }
    if (request.endMs() != null) {
      body.put("end", request.endMs());
    }
    if (searchAfter != null) {
      body.put("search_after", searchAfter);
    }
    HttpRequest.Builder call = HttpRequest.newBuilder(searchUri)
        .timeout(Duration.ofMinutes(5))
        .header("Content-Type", "application/json")
        .header("Accept", ARROW)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    config.serviceKey().ifPresent(key -> call.header("Authorization", "Bearer " + key)
        .header(TENANT_HEADER, request.user()));
    HttpResponse<byte[]> answer;
    try {
      answer = http.send(call.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new TrinoException(GENERIC_INTERNAL_ERROR, "cannot reach the OpenWit query API at " + searchUri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrinoException(GENERIC_INTERNAL_ERROR, "interrupted while searching " + searchUri, e);
    }
    if (answer.statusCode() != 200) {
      String message = "the OpenWit query API answered " + answer.statusCode() + ": " + errorMessage(answer.body());
      throw new TrinoException(switch (answer.statusCode()) {
        case 400 -> INVALID_FUNCTION_ARGUMENT;
        case 401, 403 -> PERMISSION_DENIED;
        default -> GENERIC_INTERNAL_ERROR;
      }, message);
    }
    return new ArrowStreamReader(new ByteArrayInputStream(answer.body()), allocator);
  }

  private static String errorMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode message = JSON.readTree(text).path("error").path("message");
      return message.isTextual() ? message.asText() : text;
    } catch (IOException e) {
      return text;
    }
  }

  @Override
  public void close() {
    allocator.close();
  }
}
