package io.openwit.trino.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.trino.spi.security.AccessDeniedException;
import io.trino.spi.security.PasswordAuthenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The authenticator against a stand-in for the query API's whoami. */
class OpenWitPasswordAuthenticatorTest {
  private static final Map<String, String> OWNERS = Map.of(
      "acme-key", "{\"principal\":\"tenant\",\"tenant\":\"acme\"}",
      "globex-key", "{\"principal\":\"tenant\",\"tenant\":\"globex\"}",
      "admin-key", "{\"principal\":\"admin\"}",
      "service-key", "{\"principal\":\"service\"}",
      "tenant-called-admin-key", "{\"principal\":\"tenant\",\"tenant\":\"admin\"}");

  private final AtomicInteger questions = new AtomicInteger();
  private HttpServer queryApi;
  private URI queryApiUri;

  @BeforeEach
  void startQueryApi() throws IOException {
    queryApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    queryApi.createContext("/api/v1/auth/whoami", this::whoAmI);
    queryApi.start();
    queryApiUri = URI.create("http://127.0.0.1:" + queryApi.getAddress().getPort());
  }

  @AfterEach
  void stopQueryApi() {
    queryApi.stop(0);
  }

  private void whoAmI(HttpExchange exchange) throws IOException {
    questions.incrementAndGet();
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    String owner = authorization != null && authorization.startsWith("Bearer ")
        ? OWNERS.get(authorization.substring("Bearer ".length())) : null;
    byte[] body = (owner != null ? owner : "{\"error\":{\"message\":\"unknown API key\"}}").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(owner != null ? 200 : 401, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private PasswordAuthenticator authenticator() {
    return new OpenWitPasswordAuthenticatorFactory().create(Map.of("openwit.query-api-uri", queryApiUri.toString()));
  }

  @Test
  void eachKeyLogsInAsItsOwner() {
    PasswordAuthenticator authenticator = authenticator();
    assertThat(authenticator.createAuthenticatedPrincipal("acme", "acme-key").getName()).isEqualTo("acme");
    assertThat(authenticator.createAuthenticatedPrincipal("admin", "admin-key").getName()).isEqualTo("admin");
    assertThat(authenticator.createAuthenticatedPrincipal("openwit", "service-key").getName()).isEqualTo("openwit");
  }

  @Test
  void anotherOwnersKeyIsRefused() {
    PasswordAuthenticator authenticator = authenticator();
    assertRefused(authenticator, "acme", "globex-key");
    assertRefused(authenticator, "admin", "acme-key");
    assertRefused(authenticator, "acme", "admin-key");
    assertRefused(authenticator, "openwit", "admin-key");
    assertRefused(authenticator, "admin", "service-key");
    assertRefused(authenticator, "admin", "tenant-called-admin-key");
  }

  @Test
  void unknownKeyIsRefusedWithoutShowingIt() {
    assertRefused(authenticator(), "acme", "not-a-key");
    assertRefused(authenticator(), "acme", "acme-key\r\nX-Evil: 1");
    assertRefused(authenticator(), "acme", "");
  }

  @Test
  void confirmedLoginsAreTrustedBrieflyAndFailuresAskAgain() {
    AtomicLong now = new AtomicLong();
    PasswordAuthenticator authenticator = new OpenWitPasswordAuthenticator(new WhoAmIClient(queryApiUri),
        new LoginCache(Duration.ofSeconds(30), now::get));

    authenticator.createAuthenticatedPrincipal("acme", "acme-key");
    authenticator.createAuthenticatedPrincipal("acme", "acme-key");
    assertThat(questions).hasValue(1);

    // a cached login is this user with this key, not the key for any user
    assertRefused(authenticator, "globex", "acme-key");
    assertThat(questions).hasValue(2);

    now.addAndGet(Duration.ofSeconds(31).toNanos());
    authenticator.createAuthenticatedPrincipal("acme", "acme-key");
    assertThat(questions).hasValue(3);

    assertRefused(authenticator, "acme", "not-a-key");
    assertRefused(authenticator, "acme", "not-a-key");
    assertThat(questions).hasValue(5);
  }

  @Test
  void unreachableQueryApiIsAnErrorNotAWrongPassword() {
    queryApi.stop(0);
    assertThatThrownBy(() -> authenticator().createAuthenticatedPrincipal("acme", "acme-key"))
        .isNotInstanceOf(AccessDeniedException.class)
        .hasMessageContaining(queryApiUri.toString())
        .satisfies(error -> assertThat(error.getMessage()).doesNotContain("acme-key"));
  }

  @Test
  void queryApiUriIsRequired() {
    assertThatThrownBy(() -> new OpenWitPasswordAuthenticatorFactory().create(Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openwit.query-api-uri");
  }

  private static void assertRefused(PasswordAuthenticator authenticator, String user, String password) {
    assertThatThrownBy(() -> authenticator.createAuthenticatedPrincipal(user, password))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining(user)
        .satisfies(error -> assertThat(error.getMessage()).doesNotContain(password.isEmpty() ? "\0" : password));
  }
}
