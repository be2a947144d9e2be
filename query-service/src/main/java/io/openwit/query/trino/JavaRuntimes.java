package io.openwit.query.trino;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a Java runtime new enough for Trino: the configured path first, then JAVA_HOME, then the
 * newest under /usr/lib/jvm. A runtime's version is read from its {@code release} file.
 */
public final class JavaRuntimes {
  private JavaRuntimes() {}

  /** A JDK home and its feature version. */
  public record Runtime(Path home, int featureVersion) {
    public Path javaExecutable() {
      return home.resolve("bin").resolve("java");
    }
  }

  public static Runtime find(String configuredHome, String javaHomeVariable, Path jvmDirectory, int minimumVersion) {
    List<Path> candidates = new ArrayList<>();
    if (!configuredHome.isEmpty()) {
      candidates.add(Path.of(configuredHome));
    }
    if (javaHomeVariable != null && !javaHomeVariable.isEmpty()) {
      candidates.add(Path.of(javaHomeVariable));
    }
    List<Runtime> installed = installedUnder(jvmDirectory);
    for (Path candidate : candidates) {
      Optional<Runtime> runtime = inspect(candidate);
      if (runtime.isPresent() && runtime.get().featureVersion() >= minimumVersion) {
        return runtime.get();
      }
    }
    return installed.stream()
        .filter(runtime -> runtime.featureVersion() >= minimumVersion)
        .max(Comparator.comparingInt(Runtime::featureVersion))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "Trino needs Java " + minimumVersion + " or newer and none was found (looked at trino.java_home '"
                        + configuredHome + "', JAVA_HOME '" + (javaHomeVariable == null ? "" : javaHomeVariable)
                        + "', and " + jvmDirectory + ": " + installed.stream()
                            .map(runtime -> runtime.home().getFileName() + "=" + runtime.featureVersion()).toList()
                        + "); install a JDK " + minimumVersion + "+ (e.g. Temurin 25) or set trino.java_home"));
  }

  private static List<Runtime> installedUnder(Path jvmDirectory) {
    if (!Files.isDirectory(jvmDirectory)) {
      return List.of();
    }
    try (Stream<Path> homes = Files.list(jvmDirectory)) {
      return homes.filter(home -> !Files.isSymbolicLink(home))
          .map(JavaRuntimes::inspect)
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  static Optional<Runtime> inspect(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
      return Optional.empty();
    }
    Properties properties = new Properties();
    try (var reader = Files.newBufferedReader(release)) {
      properties.load(reader);
    } catch (IOException e) {
      return Optional.empty();
    }
    String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
    String feature = version.startsWith("1.") ? version.substring(2) : version;
    int end = 0;
    while (end < feature.length() && Character.isDigit(feature.charAt(end))) {
      end++;
    }
    return end == 0 ? Optional.empty() : Optional.of(new Runtime(home, Integer.parseInt(feature.substring(0, end))));
  }
}
