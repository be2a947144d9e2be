package io.openwit.catalog.maintenance;

import io.openwit.catalog.WarehouseLocations;
import io.openwit.common.metastore.IndexRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes files under the table's location that no metadata references: what failed writes,
 * aborted commits and interrupted cleanups leave behind. Only files older than a minimum age go,
 * because a writer's files are unreferenced until it commits. The full-text index folder is the
 * index registry's: a segment's files go only when the registry neither lists the segment nor has
 * it in flight (being built or merged), and they too must be older than the minimum age.
 */
final class OrphanFiles {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanFiles.class);
  /** Listings restarted when files vanish under them; more means something is wrong. */
  private static final int LISTING_ATTEMPTS = 5;

  private OrphanFiles() {}

  /** Deletes the unreferenced files created before {@code createdBeforeMillis}; returns how many. */
  static int remove(Table table, WarehouseLocations warehouse, IndexRegistry indexes, long createdBeforeMillis) {
    if (!(table.io() instanceof SupportsPrefixOperations io)) {
      throw new UnsupportedOperationException(
          "the table's FileIO " + table.io().getClass().getName() + " cannot list files");
    }
    // a stale view of the table would make its newest files look unreferenced
    table.refresh();
    Set<String> reachable = reachableFiles(table);
    String indexFolder = normalize(table.location() + "/index/");
    List<String> orphans = new ArrayList<>();
    Map<String, String> indexFiles = new HashMap<>();
    for (FileInfo file : listOldFiles(io, table, createdBeforeMillis)) {
      String location = normalize(file.location());
      if (location.startsWith(indexFolder)) {
        String rest = location.substring(indexFolder.length());
        indexFiles.put(file.location(), rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest);
      } else if (!reachable.contains(location)) {
        orphans.add(file.location());
      }
    }
    // read after the listing, so a segment registered or started while it ran is seen in use
    Set<String> segmentsInUse = indexes.segmentIdsInUse(createdBeforeMillis);
    indexFiles.forEach((location, segmentId) -> {
      if (!segmentsInUse.contains(segmentId)) {
        orphans.add(location);
      }
    });
    orphans.forEach(orphan -> TableMaintenance.deleteInside(table, warehouse, orphan));
    return orphans.size();
  }

  /**
   * The files under the table's location created before {@code createdBeforeMillis}. A listing is
   * restarted when it fails: Hadoop's local listing fails on a file deleted while it runs, as the
   * index job deletes merged segments.
   */
  private static List<FileInfo> listOldFiles(SupportsPrefixOperations io, Table table, long createdBeforeMillis) {
    for (int attempt = 1; ; attempt++) {
      List<FileInfo> files = new ArrayList<>();
      try {
        // the trailing slash keeps a listing by key prefix (object stores) out of sibling tables
        for (FileInfo file : io.listPrefix(table.location() + "/")) {
          if (file.createdAtMillis() < createdBeforeMillis) {
            files.add(file);
          }
        }
        return files;
      } catch (RuntimeException e) {
        if (attempt == LISTING_ATTEMPTS) {
          throw e;
        }
        LOG.info("listing {} again: a file vanished while it was listed ({})", table.name(), e.getMessage());
      }
    }
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
