package io.openwit.trino.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The query API's {@code GET /api/v1/auth/whoami}: whose key a password is. It answers
 * {@code {"principal":"tenant","tenant":"acme"}}, {@code {"principal":"admin"}} or
 * {@code {"principal":"service"}}, and 401 for a key it does not know.
 */
final class WhoAmIClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI whoAmI;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  WhoAmIClient(URI queryApi) {
    this.whoAmI = queryApi.resolve("/api/v1/auth/whoami");
  }

  /** The Trino user {@code key} logs in as: its tenant's name, admin or openwit; empty for a key nobody holds. */
  Optional<String> userOf(String key) {
    HttpResponse<String> answer;
    try {
      answer = http.send(HttpRequest.newBuilder(whoAmI).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the OpenWit query API at " + whoAmI + " to check a password", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking a password at " + whoAmI, e);
    }
    if (answer.statusCode() == 401 || answer.statusCode() == 403) {
      return Optional.empty();
    }
    if (answer.statusCode() != 200) {
      throw new IllegalStateException(
          "the OpenWit query API at " + whoAmI + " answered " + answer.statusCode() + " to a password check");
    }
    JsonNode owner;
    try {
      owner = JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new UncheckedIOException("the OpenWit query API at " + whoAmI + " answered no JSON", e);
    }
    return switch (owner.path("principal").asText()) {
      // a tenant called admin or openwit (made before those names were reserved) never logs in as an operator
      case "tenant" -> Optional.of(owner.path("tenant").asText())
          .filter(tenant -> !tenant.isEmpty() && !OperatorUsers.isOperator(tenant));
      case "admin" -> Optional.of(OperatorUsers.ADMIN);
      case "service" -> Optional.of(OperatorUsers.SERVICE);
      // "open" (the API runs without authentication) or a kind this plugin does not know: no login
      default -> Optional.empty();
    };
  }
}
