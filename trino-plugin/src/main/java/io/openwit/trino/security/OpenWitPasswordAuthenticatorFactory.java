package io.openwit.trino.security;

import io.trino.spi.security.PasswordAuthenticator;
import io.trino.spi.security.PasswordAuthenticatorFactory;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code password-authenticator.name=openwit} in Trino's {@code password-authenticator.properties},
 * with {@code openwit.query-api-uri} (such as http://127.0.0.1:8083), which knows the keys.
 */
public final class OpenWitPasswordAuthenticatorFactory implements PasswordAuthenticatorFactory {
  static final String NAME = "openwit";
  static final String QUERY_API_URI = "openwit.query-api-uri";
  /** How long a confirmed login is trusted without asking the query API again. */
  static final Duration LOGIN_CACHE_TTL = Duration.ofSeconds(30);

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public PasswordAuthenticator create(Map<String, String> config) {
    Set<String> unknown = new HashSet<>(config.keySet());
    unknown.remove(QUERY_API_URI);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown properties " + unknown + " of password authenticator " + NAME + "; known is " + QUERY_API_URI);
    }
    String uri = config.get(QUERY_API_URI);
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(QUERY_API_URI + " is required, such as http://127.0.0.1:8083");
    }
    return new OpenWitPasswordAuthenticator(new WhoAmIClient(URI.create(uri.strip())),
        new LoginCache(LOGIN_CACHE_TTL, System::nanoTime));
  }
}
