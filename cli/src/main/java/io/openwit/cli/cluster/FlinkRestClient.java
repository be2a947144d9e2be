package io.openwit.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The part of a Flink JobManager's REST API (the dashboard's) that submitting a job needs: upload
 * a jar, run it, read a job's state. Errors carry the JobManager's own message.
 */
public final class FlinkRestClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Flink's globally terminal job states. */
  private static final Set<String> ENDED = Set.of("FINISHED", "CANCELED", "FAILED");

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public FlinkRestClient(URI jobManager) {
    String text = jobManager.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
  }

  /** Uploads {@code jar}; returns the id the JobManager gave it. */
  public String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "openwit-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
        + "Content-Type: application/x-java-archive\r\n\r\n";
    // the jar (near 200 MB) streams from disk rather than through the heap
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofString(head),
        HttpRequest.BodyPublishers.ofFile(jar),
        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
    JsonNode answer = send(HttpRequest.newBuilder(base.resolve("jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(body), "upload " + jar);
    String stored = answer.path("filename").asText();
    if (stored.isEmpty()) {
      throw new IOException("the JobManager accepted " + jar + " but named no file: " + answer);
    }
    return stored.substring(stored.lastIndexOf('/') + 1);
  }

  /**
   * Runs the uploaded jar's {@code entryClass} with {@code arguments}; {@code parallelism} 0 keeps
   * the cluster's default, an empty {@code savepointPath} starts without state. Returns the job id.
   */
  public String runJar(String jarId, String entryClass, List<String> arguments, int parallelism, String savepointPath)
      throws IOException, InterruptedException {
    ObjectNode request = JSON.createObjectNode();
    request.put("entryClass", entryClass);
    request.set("programArgsList", JSON.valueToTree(arguments));
    if (parallelism > 0) {
      request.put("parallelism", parallelism);
    }
    if (!savepointPath.isEmpty()) {
      request.put("savepointPath", savepointPath);
    }
    JsonNode answer = send(HttpRequest.newBuilder(base.resolve("jars/" + jarId + "/run"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))), "run " + entryClass);
    return answer.path("jobid").asText();
  }

  /** Removes an uploaded jar from the JobManager's upload directory. */
  public void deleteJar(String jarId) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(base.resolve("jars/" + jarId)).DELETE(), "delete jar " + jarId);
  }

  /** A job the cluster knows, as {@code GET /jobs/overview} lists it. */
  public record JobSummary(String id, String name, String state) {}

  /** The jobs named {@code name} that have not ended (running, restarting, being created...). */
  public List<JobSummary> activeJobs(String name) throws IOException, InterruptedException {
    List<JobSummary> active = new ArrayList<>();
    for (JsonNode job : get("jobs/overview").path("jobs")) {
      String state = job.path("state").asText();
      if (job.path("name").asText().equals(name) && !ENDED.contains(state)) {
        active.add(new JobSummary(job.path("jid").asText(), name, state));
      }
    }
    return active;
  }

  /** The job's state as the JobManager names it (CREATED, RUNNING, FAILED, ...). */
  public String jobState(String jobId) throws IOException, InterruptedException {
    return job(jobId).path("state").asText();
  }

  /** GET /jobs/{id}: the job's name, state, vertices. */
  public JsonNode job(String jobId) throws IOException, InterruptedException {
    return get("jobs/" + jobId);
  }

  /** The first lines of the job's root exception, for a job that failed to start. */
  public String rootException(String jobId) throws IOException, InterruptedException {
    String trace = get("jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")
        .path(0).path("stacktrace").asText("");
    return trace.lines().limit(3).reduce((first, second) -> first + "\n" + second).orElse("(no exception recorded)");
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), "GET " + path);
  }

  private JsonNode send(HttpRequest.Builder request, String what) throws IOException, InterruptedException {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IOException("cannot reach the Flink JobManager at " + base + " (" + what + "): " + e.getMessage(), e);
    }
    JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    if (response.statusCode() / 100 != 2) {
      // Flink answers errors as {"errors": ["message", "stack trace"]}
      String message = body.path("errors").path(0).asText(response.body());
      String cause = body.path("errors").path(1).asText("").lines()
          .filter(line -> line.startsWith("Caused by:")).reduce((first, last) -> last).orElse("");
      throw new IOException("Flink JobManager refused " + what + " (HTTP " + response.statusCode() + "): "
          + message + (cause.isEmpty() ? "" : " " + cause));
    }
    return body;
  }
}
