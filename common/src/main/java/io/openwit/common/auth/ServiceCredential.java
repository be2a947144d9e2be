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

/**
 * The internal service key, with which OpenWit's own processes (pipeline, index job, query API,
 * CLI) and Trino's Iceberg connector reach the catalog and the query API. It comes from the
 * environment variable {@value #ENVIRONMENT_VARIABLE} (cluster mode: give every process the same
 * one), else from a file readable by its owner only, generated at first start. It is never printed.
 */
public final class ServiceCredential {
  public static final String ENVIRONMENT_VARIABLE = "OPENWIT_SERVICE_KEY";

  private ServiceCredential() {}

  /**
   * What an Iceberg REST client of OpenWit's own needs: the catalog's address and the service key
   * as its bearer token (Iceberg's OAuth2 manager sends a {@code token} property as is).
   */
  public static Map<String, String> catalogClientProperties(OpenWitConfig config) {
    return Map.of("uri", config.catalogUri(), "token", resolve(config));
  }

  public static String resolve(OpenWitConfig config) {
    return resolve(config, System.getenv());
  }

  static String resolve(OpenWitConfig config, Map<String, String> environment) {
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.strip();
    }
    Path file = config.serviceKeyPath();
    try {
      if (!Files.exists(file)) {
        create(file);
      }
      String key = Files.readString(file).strip();
      if (key.isEmpty()) {
        throw new IllegalStateException("the service key file " + file + " is empty; delete it to generate a new key");
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the service key file " + file, e);
    }
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
