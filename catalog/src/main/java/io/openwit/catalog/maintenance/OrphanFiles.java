package io.openwit.catalog.maintenance;

import io.openwit.catalog.WarehouseLocations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Deletes files under the table's location that no metadata references: what failed writes,
 * aborted commits and interrupted cleanups leave behind. Only files older than a minimum age go,
 * because a writer's files are unreferenced until it commits.
 */
final class OrphanFiles {
  private OrphanFiles() {}

  /** Deletes the unreferenced files created before {@code createdBeforeMillis}; returns how many. */
  static int remove(Table table, WarehouseLocations warehouse, long createdBeforeMillis) {
    if (!(table.io() instanceof SupportsPrefixOperations io)) {
      throw new UnsupportedOperationException(
          "the table's FileIO " + table.io().getClass().getName() + " cannot list files");
    }
    // a stale view of the table would make its newest files look unreferenced
    table.refresh();
    Set<String> reachable = reachableFiles(table);
    List<String> orphans = new ArrayList<>();
    // the full-text index lives beside the data but is the index registry's, not Iceberg's
    String indexFolder = normalize(table.location() + "/index/");
    // the trailing slash keeps a listing by key prefix (object stores) out of sibling tables
    for (FileInfo file : io.listPrefix(table.location() + "/")) {
      String location = normalize(file.location());
      if (file.createdAtMillis() < createdBeforeMillis && !reachable.contains(location)
          && !location.startsWith(indexFolder)) {
        orphans.add(file.location());
      }
    }
    orphans.forEach(orphan -> TableMaintenance.deleteInside(table, warehouse, orphan));
    return orphans.size();
  }

  /** Every file the table's metadata references, normalized. */
  private static Set<String> reachableFiles(Table table) {
    FileIO io = table.io();
    Set<String> reachable = new HashSet<>();
    ReachableFileUtil.metadataFileLocations(table, false).forEach(location -> reachable.add(normalize(location)));
    // only Hadoop tables have one, but theirs must never go
    reachable.add(normalize(ReachableFileUtil.versionHintLocation(table)));
    ReachableFileUtil.statisticsFilesLocations(table).forEach(location -> reachable.add(normalize(location)));
    ReachableFileUtil.manifestListLocations(table).forEach(location -> reachable.add(normalize(location)));
    Set<String> manifestsRead = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(io)) {
        // snapshots share most of their manifests: read each once
        if (manifestsRead.add(manifest.path())) {
          reachable.add(normalize(manifest.path()));
          addContentFiles(table, manifest, reachable);
        }
      }
    }
    return reachable;
  }

  private static void addContentFiles(Table table, ManifestFile manifest, Set<String> reachable) {
    try {
      if (manifest.content() == ManifestContent.DATA) {
        try (CloseableIterable<String> paths = ManifestFiles.readPaths(manifest, table.io(), table.specs())) {
          paths.forEach(path -> reachable.add(normalize(path)));
        }
      } else {
        try (ManifestReader<DeleteFile> deletes = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
          deletes.forEach(file -> reachable.add(normalize(file.location())));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + manifest.path(), e);
    }
  }

  /** Listings and metadata spell local paths differently: file:/x, file:///x and /x are one file. */
  private static String normalize(String location) {
    String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
    return path.startsWith("/") ? path.replaceFirst("^/+", "/") : path;
  }
}
