package io.openwit.catalog.maintenance;

import io.openwit.catalog.FlinkCommits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.encryption.EncryptedFiles;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.formats.ReadBuilder;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;

/**
 * Rewrites each partition's small files (ingest commits often, so every commit leaves a few small
 * files) into files of about the target size, so scans open fewer files. Rows are streamed, never
 * held in memory, and the rewrite commits as one snapshot that concurrent appends don't conflict
 * with.
 */
final class SmallFileCompaction {
  private SmallFileCompaction() {}

  record Result(int filesCompacted, int filesWritten, long rowsRewritten) {
    static final Result NONE = new Result(0, 0, 0);
  }

  /** One partition of one spec: files of different specs never share an output file. */
  private record Partition(int specId, String path) {}

  static Result compact(Table table, long targetFileSizeBytes, int minInputFiles) {
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return Result.NONE;
    }
    List<List<DataFile>> bins = new ArrayList<>();
    for (List<DataFile> smallFiles : smallFilesByPartition(table, snapshot, targetFileSizeBytes * 3 / 4)) {
      if (smallFiles.size() >= minInputFiles) {
        // a bin of one file would be rewritten into the same file
        binPack(smallFiles, targetFileSizeBytes).stream().filter(bin -> bin.size() > 1).forEach(bins::add);
      }
    }
    return bins.isEmpty() ? Result.NONE : rewrite(table, snapshot, bins);
  }

  private static List<List<DataFile>> smallFilesByPartition(Table table, Snapshot snapshot, long smallBelowBytes) {
    Map<Partition, List<DataFile>> byPartition = new LinkedHashMap<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        // copying a file that has delete files would bring its deleted rows back
        if (file.fileSizeInBytes() < smallBelowBytes && task.deletes().isEmpty()) {
          String path = table.specs().get(file.specId()).partitionToPath(file.partition());
          byPartition.computeIfAbsent(new Partition(file.specId(), path), key -> new ArrayList<>()).add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(byPartition.values());
  }

  /** First-fit decreasing: every bin's input bytes stay within the target size. */
  private static List<List<DataFile>> binPack(List<DataFile> files, long targetBytes) {
    List<List<DataFile>> bins = new ArrayList<>();
    List<Long> binBytes = new ArrayList<>();
    List<DataFile> largestFirst = new ArrayList<>(files);
    largestFirst.sort(Comparator.comparingLong(DataFile::fileSizeInBytes).reversed());
    for (DataFile file : largestFirst) {
      int bin = 0;
      while (bin < bins.size() && binBytes.get(bin) + file.fileSizeInBytes() > targetBytes) {
        bin++;
      }
      if (bin == bins.size()) {
        bins.add(new ArrayList<>());
        binBytes.add(0L);
      }
      bins.get(bin).add(file);
      binBytes.set(bin, binBytes.get(bin) + file.fileSizeInBytes());
    }
    return bins;
  }

  private static Result rewrite(Table table, Snapshot snapshot, List<List<DataFile>> bins) {
    // the factory applies the table's properties (ZSTD, bloom filters, metrics) to what it writes
    GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
        .dataFileFormat(FileFormat.PARQUET)
        .build();
    // appends since the snapshot planned from don't conflict; deletes of the inputs would
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshot.snapshotId());
    FlinkCommits.carryOver(table, rewrite);
    List<String> written = new ArrayList<>();
    int filesCompacted = 0;
    long rows = 0;
    try {
      for (List<DataFile> bin : bins) {
        DataFile output = writeBin(table, writers, bin, written);
        bin.forEach(rewrite::deleteFile);
        rewrite.addFile(output);
        filesCompacted += bin.size();
        rows += output.recordCount();
      }
      rewrite.commit();
    } catch (CommitStateUnknownException e) {
      throw e; // the new files may be part of the table now, so they stay
    } catch (RuntimeException e) {
      deleteAll(table, written, e);
      throw e;
    }
    return new Result(filesCompacted, bins.size(), rows);
  }

  private static DataFile writeBin(Table table, GenericFileWriterFactory writers, List<DataFile> bin,
      List<String> written) {
    DataFile first = bin.get(0);
    PartitionSpec spec = table.specs().get(first.specId());
    String location = table.locationProvider().newDataLocation(
        spec, first.partition(), FileFormat.PARQUET.addExtension("compacted-" + UUID.randomUUID()));
    written.add(location);
    DataWriter<Record> writer = writers.newDataWriter(
        EncryptedFiles.plainAsEncryptedOutput(table.io().newOutputFile(location)), spec, first.partition());
    try (writer) {
      for (DataFile input : bin) {
        copyRows(table, input, writer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + location, e);
    }
    return writer.toDataFile();
  }

  private static void copyRows(Table table, DataFile input, DataWriter<Record> writer) throws IOException {
    ReadBuilder<Record, ?> reader =
        FormatModelRegistry.readBuilder(input.format(), Record.class, table.io().newInputFile(input));
    try (CloseableIterable<Record> rows = reader.project(table.schema()).build()) {
      rows.forEach(writer::write);
    }
  }

  /** Removes what a failed rewrite wrote, so the table and its directory are as they were. */
  private static void deleteAll(Table table, List<String> locations, RuntimeException failure) {
    for (String location : locations) {
      try {
        table.io().deleteFile(location);
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }
}
