package io.openwit.trino.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import io.trino.spi.TrinoException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whose data a search reads: the session user's tenant, named to the query API with the service key. */
class SearchApiClientTest {
  private static final SearchRequest ACME_SEARCH = new SearchRequest("acme", "logs", "timeout", null, null, null);

  private final AtomicReference<Headers> asked = new AtomicReference<>();
  private HttpServer queryApi;
  private String queryApiUri;

  @BeforeEach
  void startQueryApi() throws IOException {
    queryApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    queryApi.createContext("/api/v1/search", exchange -> {
      asked.set(exchange.getRequestHeaders());
      byte[] body = "{\"error\":{\"message\":\"bad query\"}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(400, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    queryApi.start();
    queryApiUri = "http://127.0.0.1:" + queryApi.getAddress().getPort();
  }

  @AfterEach
  void stopQueryApi() {
    queryApi.stop(0);
  }

  @Test
  void withServiceKeyTheSessionUserIsTheTenant() {
    search(Map.of("openwit.query-api-uri", queryApiUri, "openwit.service-key", "service-key"));
    assertThat(asked.get().getFirst("Authorization")).isEqualTo("Bearer service-key");
    assertThat(asked.get().getFirst("X-OpenWit-Tenant")).isEqualTo("acme");
  }

  @Test
  void withoutServiceKeyNeitherHeaderIsSent() {
    search(Map.of("openwit.query-api-uri", queryApiUri));
    assertThat(asked.get().containsKey("Authorization")).isFalse();
    assertThat(asked.get().containsKey("X-OpenWit-Tenant")).isFalse();
  }

  @Test
  void aTenantKeyInTheCatalogIsNoLongerAccepted() {
    assertThatThrownBy(() -> SearchConfig.of(Map.of("openwit.query-api-uri", queryApiUri, "openwit.api-key", "k")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openwit.api-key is gone");
    assertThat(SearchConfig.of(Map.of("openwit.query-api-uri", queryApiUri, "openwit.service-key", "service-key")))
        .asString().doesNotContain("service-key");
  }

  private void search(Map<String, String> catalog) {
    try (SearchApiClient client = new SearchApiClient(SearchConfig.of(catalog))) {
      assertThatThrownBy(() -> client.page(ACME_SEARCH, 10, null))
          .isInstanceOf(TrinoException.class).hasMessageContaining("bad query");
    }
  }
}
