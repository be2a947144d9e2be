package io.openwit.common.auth;

import io.openwit.common.config.OpenWitConfig;
import io.openwit.common.metastore.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The internal service key, with which OpenWit's own processes (pipeline, index job, query API,
 * CLI) and Trino's Iceberg connector reach the catalog and the query API. It comes from the
 * environment variable {@value #ENVIRONMENT_VARIABLE} (cluster mode: give every process the same
 * one), else from a file readable by its owner only, which the catalog generates at its first
 * start. It is never printed.
 */
public final class ServiceCredential {
  public static final String ENVIRONMENT_VARIABLE = "OPENWIT_SERVICE_KEY";

  private ServiceCredential() {}

  /**
   * What an Iceberg REST client of OpenWit's own needs: the catalog's address and, when there is a
   * service key (always with {@code auth.enabled}), the key as its bearer token. Iceberg's OAuth2
   * manager sends a {@code token} as is; the key never expires, so it is never refreshed (the
   * catalog has no token endpoint, which is named only so the client does not warn of a default).
   */
  public static Map<String, String> catalogClientProperties(OpenWitConfig config) {
    Optional<String> key = config.auth().enabled() ? Optional.of(resolve(config)) : find(config);
    if (key.isEmpty()) {
      return Map.of("uri", config.catalogUri());
    }
    return Map.of("uri", config.catalogUri(), "token", key.get(), "rest.auth.type", "oauth2",
        "token-refresh-enabled", "false", "oauth2-server-uri", config.catalogUri() + "/v1/oauth/tokens");
  }

  /** The service key, which this process must have: from the environment or its file. */
  public static String resolve(OpenWitConfig config) {
    return find(config).orElseThrow(() -> new IllegalStateException("no service key: set " + ENVIRONMENT_VARIABLE
        + " (the same on every OpenWit, Flink and Trino process) or give this process the file "
        + config.serviceKeyPath() + " (the catalog writes it at its first start)"));
  }

  /** The service key from the environment or its file, if either has one. */
  public static Optional<String> find(OpenWitConfig config) {
    return find(config, System.getenv());
  }

  /**
   * The service key, generated into its file when neither the environment nor the file has one:
   * what the catalog does at start, as the first process of single-node mode.
   */
  public static String ensure(OpenWitConfig config) {
    return ensure(config, System.getenv());
  }

  static Optional<String> find(OpenWitConfig config, Map<String, String> environment) {
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Optional.of(fromEnvironment.strip());
    }
    Path file = config.serviceKeyPath();
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String key = Files.readString(file).strip();
      if (key.isEmpty()) {
        throw new IllegalStateException("the service key file " + file + " is empty; delete it to generate a new key");
      }
      return Optional.of(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the service key file " + file, e);
    }
  }

  static String ensure(OpenWitConfig config, Map<String, String> environment) {
    Optional<String> existing = find(config, environment);
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      create(config.serviceKeyPath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the service key file " + config.serviceKeyPath(), e);
    }
    return find(config, environment).orElseThrow();
  }

  /**
   * Written to a private temporary file and linked into place: no reader sees half a key, and of
   * two processes generating at once, the first link wins and both read its key.
   */
  private static void create(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".service-key", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temporary, "ows_" + ApiKeys.generate().key().substring(4) + "\n");
    try {
      Files.createLink(file, temporary);
    } catch (FileAlreadyExistsException raced) {
      // another process generated it first: its key is the one
    } finally {
      Files.delete(temporary);
    }
  }
}
