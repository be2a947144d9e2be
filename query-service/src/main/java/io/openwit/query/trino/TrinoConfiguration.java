package io.openwit.query.trino;

import io.openwit.common.auth.ServiceCredential;
import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Trino node's {@code etc/} directory for OpenWit: the node's role, the Iceberg catalog
 * {@code openwit} on OpenWit's REST catalog (which it reaches with the service key), and the
 * full-text catalog {@code search} (the {@code openwit_search} connector over the query API).
 * Every listener binds {@code listen_address}. With {@code auth.enabled}, a coordinator serves
 * clients over HTTPS on {@code trino.https_port} with password logins and the {@code openwit}
 * access control (both from the openwit-search plugin); plain HTTP then answers only Trino's own
 * internal requests, signed with a secret derived from the service key, and public endpoints such
 * as {@code /v1/info}. The service key reaches Trino only through its environment
 * ({@value ServiceCredential#ENVIRONMENT_VARIABLE}), never through these files.
 *
 * @param role what the node does in its cluster
 * @param discoveryUri the coordinator's address (a coordinator's own address, as workers reach it)
 * @param nodeId empty lets Trino pick a random id at every start
 * @param pluginDir empty keeps the installation's own {@code plugin/} folder
 * @param internalAddress the address other nodes reach this one at; empty lets Trino find it
 */
public record TrinoConfiguration(
    Role role, int port, String discoveryUri, String nodeId, Optional<Path> pluginDir, String internalAddress) {

  /** Trino resolves it from its environment, where {@link TrinoServer} puts the service key. */
  static final String SERVICE_KEY = "${ENV:" + ServiceCredential.ENVIRONMENT_VARIABLE + "}";

  /** A node's part: everything on one node, a coordinator that leaves the work to workers, a worker. */
  public enum Role { SINGLE_NODE, COORDINATOR, WORKER }

  /** The JVM options of every Trino node; the openwit_search plugin's Arrow needs the add-opens. */
  public static List<String> jvmOptions(String maxHeap) {
    return List.of(
        "-server",
        "-Xmx" + maxHeap,
        "-XX:+UseG1GC",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:ReservedCodeCacheSize=256M",
        "-XX:PerMethodRecompilationCutoff=10000",
        "-XX:PerBytecodeRecompilationCutoff=10000",
        "-Djdk.attach.allowAttachSelf=true",
        "-Djdk.nio.maxCachedBufferSize=2000000",
        "-Dfile.encoding=UTF-8",
        "-XX:+EnableDynamicAgentLoading",
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "--add-opens=java.base/java.nio=ALL-UNNAMED");
  }

  /**
   * Writes {@code config.properties}, {@code node.properties}, {@code jvm.config} and
   * {@code log.properties} under {@code etc}; on a coordinator the file catalog store's settings and
   * both catalogs, and with auth the HTTPS certificate ({@link TrinoCertificate}, under
   * {@code etc/tls}), {@code password-authenticator.properties} and {@code access-control.properties}.
   */
  public void write(Path etc, OpenWitConfig config) throws IOException {
    Files.createDirectories(etc);
    boolean coordinator = role != Role.WORKER;
    boolean auth = config.auth().enabled();
    List<String> server = new ArrayList<>(List.of(
        "coordinator=" + coordinator,
        "http-server.http.port=" + port,
        "discovery.uri=" + discoveryUri,
        "http-server.log.enabled=false",
        // workers load each catalog from the coordinator when a query first needs it
        "catalog.management=dynamic"));
    pluginDir.ifPresent(dir -> server.add("plugin.dir=" + dir));
    if (coordinator) {
      // a cluster's coordinator only plans: the scans run on the workers
      server.add("node-scheduler.include-coordinator=" + (role == Role.SINGLE_NODE));
      server.add("catalog.store=file");
    }
    if (auth) {
      // the nodes sign their requests to each other with it; derived, so every node of a cluster agrees
      server.add("internal-communication.shared-secret=" + sharedSecret(ServiceCredential.resolve(config)));
    }
    Path passwordAuthenticator = etc.resolve("password-authenticator.properties").toAbsolutePath();
    Path accessControl = etc.resolve("access-control.properties").toAbsolutePath();
    if (auth && coordinator) {
      TrinoCertificate certificate = TrinoCertificate.prepare(tlsDirectory(etc), config);
      server.addAll(List.of(
          "http-server.https.enabled=true",
          "http-server.https.port=" + config.trino().httpsPort(),
          "http-server.https.keystore.path=" + certificate.keystore(),
          // over plain HTTP, Trino then refuses every login (only internal requests pass)
          "http-server.authentication.type=PASSWORD",
          // named, as Trino would otherwise look for them under its working directory
          "password-authenticator.config-files=" + passwordAuthenticator,
          "access-control.config-files=" + accessControl));
      write(passwordAuthenticator, List.of(
          "password-authenticator.name=openwit",
          "openwit.query-api-uri=" + config.queryApiUri()));
      write(accessControl, List.of(
          "access-control.name=openwit",
          "openwit.iceberg-catalog=" + TrinoServer.CATALOG,
          "openwit.search-catalog=" + TrinoServer.SEARCH_CATALOG));
    } else {
      // left from a start with auth on, Trino would still load etc/access-control.properties
      Files.deleteIfExists(passwordAuthenticator);
      Files.deleteIfExists(accessControl);
    }
    write(etc.resolve("config.properties"), server);

    List<String> node = new ArrayList<>(List.of(
        "node.environment=openwit",
        "node.bind-ip=" + bindIp(config.listenAddress())));
    if (!nodeId.isEmpty()) {
      node.add("node.id=" + nodeId);
    }
    if (!internalAddress.isEmpty()) {
      node.add("node.internal-address=" + internalAddress);
    }
    write(etc.resolve("node.properties"), node);
    write(etc.resolve("jvm.config"), jvmOptions(config.trino().maxHeap()));
    write(etc.resolve("log.properties"), List.of("io.trino=INFO"));
    if (coordinator) {
      writeCatalogs(etc, config);
    }
  }

  /** A coordinator's HTTPS certificate files under {@code etc}, with auth. */
  public static TrinoCertificate certificate(Path etc) {
    return TrinoCertificate.in(tlsDirectory(etc));
  }

  private static Path tlsDirectory(Path etc) {
    return etc.resolve("tls");
  }

  /** Trino binds HTTP and HTTPS to one address, which must be an IP. */
  private static String bindIp(String listenAddress) throws UnknownHostException {
    return InetAddress.getByName(listenAddress).getHostAddress();
  }

  /** Not the service key itself: Trino's secret opens Trino only. */
  static String sharedSecret(String serviceKey) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(("openwit trino internal communication\0" + serviceKey).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Whether Trino gets the service key (in its environment, from {@link TrinoServer} or the
   * container): always with auth; without, when one exists, as a catalog with auth on may still
   * serve a Trino without it (tests share one Trino across catalogs).
   */
  static boolean sendsServiceKey(OpenWitConfig config) {
    return config.auth().enabled() || ServiceCredential.find(config).isPresent();
  }

  /** The catalogs, kept by the coordinator's file catalog store (where CREATE CATALOG adds more). */
  private static void writeCatalogs(Path etc, OpenWitConfig config) throws IOException {
    Path catalogs = etc.resolve("catalog");
    Files.createDirectories(catalogs);
    write(etc.resolve("catalog-store.properties"), List.of("catalog.config-dir=" + catalogs.toAbsolutePath()));
    List<String> iceberg = new ArrayList<>(List.of(
        "connector.name=iceberg",
        "iceberg.catalog.type=rest",
        "iceberg.rest-catalog.uri=" + config.catalogUri(),
        // Trino resolves file: locations under local.location, so it must be the filesystem root.
        "fs.native-local.enabled=true",
        "local.location=/"));
    if (sendsServiceKey(config)) {
      // the catalog's bearer token: the service key, which Trino reads from its environment
      iceberg.add("iceberg.rest-catalog.security=OAUTH2");
      iceberg.add("iceberg.rest-catalog.oauth2.token=" + SERVICE_KEY);
      // the key never expires, and the catalog has no token endpoint to refresh it at
      iceberg.add("iceberg.rest-catalog.oauth2.token-refresh-enabled=false");
    }
    if (config.warehouseOnS3()) {
      // Trino reads with its own S3 client, not the catalog's FileIO; credentials from its environment
      OpenWitConfig.S3 s3 = config.storage().s3();
      iceberg.add("fs.native-s3.enabled=true");
      iceberg.add("s3.path-style-access=" + s3.pathStyleAccess());
      if (!s3.endpoint().isEmpty()) {
        iceberg.add("s3.endpoint=" + s3.endpoint());
      }
      if (!s3.region().isEmpty()) {
        iceberg.add("s3.region=" + s3.region());
      }
    }
    write(catalogs.resolve(TrinoServer.CATALOG + ".properties"), iceberg);
    List<String> search = new ArrayList<>(List.of(
        "connector.name=openwit_search",
        "openwit.query-api-uri=" + config.queryApiUri()));
    if (config.auth().enabled()) {
      // with it, each search reads the tenant named by the query's user
      search.add("openwit.service-key=" + SERVICE_KEY);
    }
    write(catalogs.resolve(TrinoServer.SEARCH_CATALOG + ".properties"), search);
  }

  /** Readable by their owner only, from the start: config.properties holds the internal secret. */
  private static void write(Path file, List<String> lines) throws IOException {
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
    }
    Files.setPosixFilePermissions(file, ownerOnly);
    Files.writeString(file, "# Written by OpenWit; change openwit.yaml and write it again instead.\n"
        + String.join("\n", lines) + "\n");
  }
}
