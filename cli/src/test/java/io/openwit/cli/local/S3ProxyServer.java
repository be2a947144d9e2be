package io.openwit.cli.local;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An S3-compatible object store on this machine: S3Proxy (from Maven Central) with its filesystem
 * backend, as its own process, so its AWS SDK and Jetty stay out of the test JVM. A bucket is a
 * folder under {@link #root}, an object a file under it.
 */
final class S3ProxyServer implements AutoCloseable {
  static final String ACCESS_KEY = "openwit-test-key";
  static final String SECRET_KEY = "openwit-test-secret";

  final Path root;
  final String endpoint;
  private final Process process;

  private S3ProxyServer(Path root, String endpoint, Process process) {
    this.root = root;
    this.endpoint = endpoint;
    this.process = process;
  }

  static S3ProxyServer start(Path directory, String... buckets) throws Exception {
    Path root = Files.createDirectories(directory.resolve("objects"));
    for (String bucket : buckets) {
      Files.createDirectories(root.resolve(bucket));
    }
    String endpoint = "http://127.0.0.1:" + SharedEngines.freePort();
    Path properties = directory.resolve("s3proxy.conf");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=" + endpoint,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + root) + "\n");
    Process process = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", System.getProperty("s3proxy.jar"), "--properties", properties.toString()))
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("s3proxy.log").toFile())
        .start();
    S3ProxyServer server = new S3ProxyServer(root, endpoint, process);
    try {
      Await.until(server::answers, Duration.ofMinutes(1), "S3Proxy at " + endpoint);
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Any HTTP answer (an anonymous request is refused) means the server is up. */
  private boolean answers() {
    if (!process.isAlive()) {
      throw new AssertionError("S3Proxy exited with " + process.exitValue());
    }
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint + "/").toURL().openConnection();
      connection.setConnectTimeout(1_000);
      return connection.getResponseCode() > 0;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The objects under {@code prefix} of {@code bucket}, as paths relative to the bucket. */
  List<String> objects(String bucket, String prefix) throws IOException {
    Path bucketRoot = root.resolve(bucket);
    Path start = bucketRoot.resolve(prefix);
    if (!Files.exists(start)) {
      return List.of();
    }
    try (var files = Files.walk(start)) {
      return files.filter(Files::isRegularFile).map(file -> bucketRoot.relativize(file).toString()).sorted().toList();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
