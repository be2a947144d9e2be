package io.openwit.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openwit.cli.OpenWit;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** OpenWit's HTTP APIs as a test reads them: JSON over the JDK client, and the CLI, in-process or as a process of its own. */
final class HttpApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  record Answer(int status, String body) {
    JsonNode json() throws IOException {
      return MAPPER.readTree(body);
    }
  }

  static Answer get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  /** A GET (body null) or a POST of a JSON body, with the API key as a bearer token when not null. */
  static Answer call(String url, String apiKey, String jsonBody) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    if (jsonBody != null) {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  static JsonNode getJson(String url) throws IOException, InterruptedException {
    Answer answer = get(url);
    if (answer.status() != 200) {
      throw new AssertionError("GET " + url + " answered " + answer.status() + ": " + answer.body());
    }
    return answer.json();
  }

  static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> elements = new ArrayList<>();
    array.forEach(elements::add);
    return elements;
  }

  /** What {@code openwit <arguments>} printed and returned. */
  record Run(int exitCode, String out, String err) {}

  static Run cli(String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new OpenWit());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(arguments);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** The command line that runs the CLI in a JVM of its own, from the module's built jar. */
  static List<String> cliCommand(String... arguments) throws IOException {
    return javaCommand(List.of(), OpenWit.class.getName(), arguments);
  }

  /** The command line that runs {@code mainClass} in a JVM of its own, on the CLI's classpath and then {@code more}. */
  static List<String> javaCommand(List<Path> more, String mainClass, String... arguments) throws IOException {
    Path jar = Path.of(System.getProperty("openwit.cli.jar"));
    StringBuilder classpath =
        new StringBuilder(jar + ":" + Files.readString(jar.getParent().resolve("runtime-classpath.txt")).trim());
    more.forEach(entry -> classpath.append(':').append(entry));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1500m", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", classpath.toString(), mainClass));
    command.addAll(List.of(arguments));
    return command;
  }

  /** The CLI as a script runs it: its own process, no terminal, output captured. */
  static Run cliProcess(Path directory, String... arguments) throws IOException, InterruptedException {
    Path out = Files.createTempFile(directory, "cli-", ".out");
    Path err = Files.createTempFile(directory, "cli-", ".err");
    Process process = new ProcessBuilder(cliCommand(arguments))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("openwit " + String.join(" ", arguments) + " did not end; see " + err);
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
