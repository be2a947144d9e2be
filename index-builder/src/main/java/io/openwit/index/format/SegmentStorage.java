package io.openwit.index.format;

import io.openwit.common.metastore.IndexRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Where segments live: under {@code <table location>/index/<segment id>/}, written and read through
 * the table's own FileIO, so an index sits beside its data on local disk and object storage alike.
 * Segments are immutable; a reader opens a local one in place and copies a remote one into a local
 * cache once.
 */
public final class SegmentStorage {
  private SegmentStorage() {}

  /** The folder of segment {@code segmentId} of the table at {@code tableLocation}. */
  public static String location(String tableLocation, String segmentId) {
    return tableLocation + "/index/" + segmentId;
  }

  /** A segment's files and their total size, as uploaded. */
  public record Stored(List<String> files, long sizeBytes) {}

  /** Copies the Lucene files of {@code localIndex} to {@code location}. */
  public static Stored upload(FileIO io, Path localIndex, String location) throws IOException {
    List<String> files = new ArrayList<>();
    long size = 0;
    try (Stream<Path> listing = Files.list(localIndex)) {
      for (Path file : listing.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.equals("write.lock")) {
          continue;
        }
        try (InputStream in = Files.newInputStream(file);
            OutputStream out = io.newOutputFile(location + "/" + name).createOrOverwrite()) {
          size += in.transferTo(out);
        }
        files.add(name);
      }
    }
    return new Stored(files, size);
  }

  /** Opens {@code segment} for reading; {@code cache} holds copies of segments not on local disk. */
  public static Directory open(FileIO io, IndexRegistry.Segment segment, Path cache) throws IOException {
    Path local = localPath(segment.location());
    if (local != null) {
      return FSDirectory.open(local);
    }
    Path copy = cache.resolve(segment.id());
    Path complete = cache.resolve(segment.id() + ".complete");
    if (!Files.exists(complete)) {
      Files.createDirectories(copy);
      for (String name : segment.files()) {
        try (InputStream in = io.newInputFile(segment.location() + "/" + name).newStream()) {
          Files.copy(in, copy.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.createFile(complete);
    }
    return FSDirectory.open(copy);
  }

  /** Deletes a segment's files from storage (and from {@code cache}); missing files are no error. */
  public static void delete(FileIO io, IndexRegistry.Segment segment, Path cache) {
    for (String name : segment.files()) {
      io.deleteFile(segment.location() + "/" + name);
    }
    Path local = localPath(segment.location());
    if (local != null) {
      deleteTree(local);
    }
    deleteFile(cache.resolve(segment.id() + ".complete"));
    deleteTree(cache.resolve(segment.id()));
  }

  /**
   * Deletes whatever a failed build or merge stored under {@code location}, file names unknown; on
   * storage that cannot list by prefix, orphan removal takes what is left once it is old enough.
   */
  public static void deleteFolder(FileIO io, String location) {
    Path local = localPath(location);
    if (local != null) {
      deleteTree(local);
    } else if (io instanceof SupportsPrefixOperations prefixes) {
      prefixes.deletePrefix(location + "/");
    }
  }

  /** The local folder of a {@code file:} or plain-path location; null for object storage. */
  private static Path localPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location));
    }
    if (location.startsWith("/")) {
      return Path.of(location);
    }
    return null;
  }

  /** Removes a local folder and what it holds. */
  public static void deleteTree(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(SegmentStorage::deleteFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + folder, e);
    }
  }

  private static void deleteFile(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }
}
