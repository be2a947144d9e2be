package io.openwit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The control-plane commands' way in: OpenWit's HTTP API on the catalog service, at
 * {@code --catalog} or the catalog address of openwit.yaml. Answers print as they come (JSON), or
 * as a table where a list reads better.
 */
abstract class CatalogApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Option(names = {"-c", "--config"}, description = "openwit.yaml (default: ./openwit.yaml if present)")
  Path config;

  @Option(names = "--catalog", description = "catalog service URL (default: from openwit.yaml, http://127.0.0.1:8181)")
  String catalog;

  @Option(names = "--api-key", description = "an admin key (default: $OPENWIT_API_KEY, else this node's service key"
      + " when its file is readable); prefer the environment, as arguments show in process lists")
  String apiKey;

  @Spec
  CommandSpec spec;

  /** The answer's body; a non-2xx answer prints its message and becomes exit code 1. */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }
  }

  Answer get(String path) {
    return send(authorized(HttpRequest.newBuilder(uri(path)).GET()));
  }

  Answer post(String path) {
    return send(authorized(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody())));
  }

  /** The operator APIs want an admin key once authentication is on; without it they take none. */
  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    key().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    return request;
  }

  private Optional<String> key() {
    if (apiKey != null && !apiKey.isBlank()) {
      return Optional.of(apiKey.strip());
    }
    String fromEnvironment = System.getenv("OPENWIT_API_KEY");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Optional.of(fromEnvironment.strip());
    }
    return ServiceCredential.find(OpenWit.loadConfig(config, null));
  }

  private URI uri(String path) {
    String base = catalog != null ? catalog : OpenWit.loadConfig(config, null).catalogUri();
    return URI.create(base.replaceAll("/+$", "") + path);
  }

  private Answer send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(Duration.ofMinutes(30)).build();
    try {
      HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(built, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), body(response));
    } catch (ConnectException e) {
      throw new IllegalStateException("no OpenWit catalog answers at " + built.uri().resolve("/")
          + " (is ./openwit local running? --catalog sets the address)");
    } catch (IOException e) {
      throw new IllegalStateException("request to " + built.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The JSON answer; anything else (a proxy's or the server's own error page) as a JSON string. */
  private static JsonNode body(HttpResponse<String> response) {
    try {
      return MAPPER.readTree(response.body());
    } catch (JsonProcessingException e) {
      return TextNode.valueOf("HTTP " + response.statusCode() + ": " + response.body().strip());
    }
  }

  /** Prints the answer as JSON; 0 when it was a success. */
  int printJson(Answer answer) {
    PrintWriter out = answer.ok() ? spec.commandLine().getOut() : spec.commandLine().getErr();
    out.println(answer.body().toPrettyString());
    out.flush();
    return answer.ok() ? 0 : 1;
  }

  /** Prints the rows of {@code answer.body()[field]} as a table of {@code columns}. */
  int printTable(Answer answer, String field, List<String> columns, Function<JsonNode, List<String>> row) {
    if (!answer.ok()) {
      return printJson(answer);
    }
    PrintWriter out = spec.commandLine().getOut();
    List<List<String>> rows = new ArrayList<>();
    rows.add(columns);
    answer.body().path(field).forEach(node -> rows.add(row.apply(node)));
    int[] widths = new int[columns.size()];
    for (List<String> cells : rows) {
      for (int i = 0; i < cells.size(); i++) {
        widths[i] = Math.max(widths[i], cells.get(i).length());
      }
    }
    for (List<String> cells : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        line.append(String.format("%-" + (widths[i] + 2) + "s", cells.get(i)));
      }
      out.println(line.toString().stripTrailing());
    }
    out.printf("(%d)%n", rows.size() - 1);
    out.flush();
    return 0;
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? "-" : value.asText();
  }
}
