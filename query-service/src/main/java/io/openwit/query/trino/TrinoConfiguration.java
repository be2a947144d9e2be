package io.openwit.query.trino;

import io.openwit.common.config.OpenWitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Trino node's {@code etc/} directory for OpenWit: the node's role, the Iceberg catalog
 * {@code openwit} on OpenWit's REST catalog, and the full-text catalog {@code search} (the
 * {@code openwit_search} connector over the query API). Catalogs are dynamic, so users add one
 * {@code openwit_search} catalog per tenant API key with {@code CREATE CATALOG}.
 *
 * @param role what the node does in its cluster
 * @param discoveryUri the coordinator's address (a coordinator's own address, as workers reach it)
 * @param nodeId empty lets Trino pick a random id at every start
 * @param pluginDir empty keeps the installation's own {@code plugin/} folder
 * @param internalAddress the address other nodes reach this one at; empty lets Trino find it
 */
public record TrinoConfiguration(
    Role role, int port, String discoveryUri, String nodeId, Optional<Path> pluginDir, String internalAddress) {

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
   * {@code log.properties} under {@code etc}, and on a coordinator the file catalog store's
   * settings and both catalogs.
   */
  public void write(Path etc, OpenWitConfig config) throws IOException {
    Files.createDirectories(etc);
    List<String> server = new ArrayList<>(List.of(
        "coordinator=" + (role != Role.WORKER),
        "http-server.http.port=" + port,
        "discovery.uri=" + discoveryUri,
        "http-server.log.enabled=false",
        // workers load each catalog from the coordinator when a query first needs it
        "catalog.management=dynamic"));
    pluginDir.ifPresent(dir -> server.add("plugin.dir=" + dir));
    if (role != Role.WORKER) {
      // a cluster's coordinator only plans: the scans run on the workers
      server.add("node-scheduler.include-coordinator=" + (role == Role.SINGLE_NODE));
      server.add("catalog.store=file");
    }
    write(etc.resolve("config.properties"), server);

    List<String> node = new ArrayList<>(List.of("node.environment=openwit"));
    if (!nodeId.isEmpty()) {
      node.add("node.id=" + nodeId);
    }
    if (!internalAddress.isEmpty()) {
      node.add("node.internal-address=" + internalAddress);
    }
    write(etc.resolve("node.properties"), node);
    write(etc.resolve("jvm.config"), jvmOptions(config.trino().maxHeap()));
    write(etc.resolve("log.properties"), List.of("io.trino=INFO"));
    if (role != Role.WORKER) {
      writeCatalogs(etc, config);
    }
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
    write(catalogs.resolve(TrinoServer.SEARCH_CATALOG + ".properties"), List.of(
        "connector.name=openwit_search",
        "openwit.query-api-uri=" + config.queryApiUri()));
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, "# Written by OpenWit; change openwit.yaml and write it again instead.\n"
        + String.join("\n", lines) + "\n");
  }
}
