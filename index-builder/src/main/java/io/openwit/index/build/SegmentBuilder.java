package io.openwit.index.build;

import io.openwit.common.metastore.IndexRegistry;
import io.openwit.common.metastore.MetastoreException;
import io.openwit.index.format.AttributeFields;
import io.openwit.index.format.IndexedTable;
import io.openwit.index.format.QueryLanguage;
import io.openwit.index.format.SegmentStorage;
import io.openwit.index.format.StoredRows;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.avro.IcebergEncoder;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * Builds one segment: a Lucene index written on local disk, merged to a single compound segment
 * sorted newest first (so a search for the latest hits stops early), then uploaded beside the
 * table's data. Builds and merges are idempotent: nothing is registered here, so a segment that
 * loses the race to register is simply deleted.
 */
public final class SegmentBuilder {
  /** A data file to index: its path and format. */
  public record DataFileRef(String path, String format) {}

  private final Path workDirectory;
  private final boolean storeRows;

  /** {@code storeRows}: keep each whole row in the segment, so searches need not read the data files. */
  public SegmentBuilder(Path workDirectory, boolean storeRows) {
    this.workDirectory = workDirectory;
    this.storeRows = storeRows;
  }

  /** The Lucene configuration every segment is written with. */
  static IndexWriterConfig writerConfig() {
    IndexWriterConfig config = new IndexWriterConfig(QueryLanguage.ANALYZER);
    config.setUseCompoundFile(true);
    // kept rows are read a few at a time, so they are worth DEFLATE's size (Elasticsearch's best_compression)
    config.setCodec(new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION));
    config.setRAMBufferSizeMB(64);
    config.setIndexSort(new Sort(new SortField(IndexedTable.TIME, SortField.Type.LONG, true)));
    config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    return config;
  }

  /** A new segment's id, unique across tables. */
  public static String newSegmentId() {
    return UUID.randomUUID().toString();
  }

  /**
   * Indexes every row of {@code files} as segment {@code id} and stores it beside {@code table}'s
   * data; {@code attributeFields} bounds the attribute keys that become fields of their own.
   */
  public IndexRegistry.Segment build(String id, String tenant, Table table, IndexedTable layout, List<DataFileRef> files,
      AttributeFields attributeFields) throws IOException {
    Path local = workDirectory.resolve(id);
    try {
      Schema projection = storeRows ? table.schema() : layout.projection(table.schema());
      IcebergEncoder<Record> encoder = storeRows ? StoredRows.encoder(table.schema()) : null;
      try (Directory directory = FSDirectory.open(local); IndexWriter writer = new IndexWriter(directory, writerConfig())) {
        for (DataFileRef file : files) {
          index(writer, table, layout, projection, encoder, file, attributeFields);
        }
        writer.forceMerge(1);
        writer.commit();
      }
      return store(tenant, table, layout, id, local);
    } finally {
      SegmentStorage.deleteTree(local);
    }
  }

  /**
   * Adds every row of {@code file} to {@code writer}. What fails while reading the file or turning
   * its rows into documents (Lucene refuses a document as an argument error) is the file's, so it
   * is thrown as an {@link UnreadableDataFileException}; a failing metastore (claiming attribute
   * fields) or local disk (an I/O error of the writer) is not.
   */
  private static void index(IndexWriter writer, Table table, IndexedTable layout, Schema projection,
      IcebergEncoder<Record> encoder, DataFileRef file, AttributeFields attributeFields) throws IOException {
    try (CloseableIterable<Record> rows = FormatModelRegistry.readBuilder(FileFormat.fromString(file.format()),
        Record.class, table.io().newInputFile(file.path())).project(projection).build()) {
      long position = 0;
      for (Record row : rows) {
        byte[] stored = encoder == null ? null : StoredRows.encode(encoder, row);
        writer.addDocument(layout.document(row, file.path(), position++, stored, attributeFields));
      }
    } catch (MetastoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnreadableDataFileException(file.path(), e);
    }
  }

  /**
   * Merges {@code segments} into segment {@code id}, leaving out the rows of data files no longer
   * registered (visible or pending); the merged segment is stored beside {@code table}'s data.
   */
  public IndexRegistry.Segment merge(String id, String tenant, Table table, IndexedTable layout,
      List<IndexRegistry.LiveSegment> segments, Path cache) throws IOException {
    Path local = workDirectory.resolve(id);
    List<Directory> sources = new ArrayList<>();
    try {
      List<BytesRef> liveFiles = new ArrayList<>();
      for (IndexRegistry.LiveSegment segment : segments) {
        sources.add(SegmentStorage.open(table.io(), segment.segment(), cache));
        segment.dataFiles().forEach(file -> liveFiles.add(new BytesRef(file)));
        segment.pendingFiles().forEach(file -> liveFiles.add(new BytesRef(file)));
      }
      try (Directory directory = FSDirectory.open(local); IndexWriter writer = new IndexWriter(directory, writerConfig())) {
        writer.addIndexes(sources.toArray(Directory[]::new));
        writer.deleteDocuments(new BooleanQuery.Builder()
            .add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST)
            .add(new TermInSetQuery(IndexedTable.FILE, liveFiles), BooleanClause.Occur.MUST_NOT)
            .build());
        writer.forceMerge(1);
        writer.commit();
      }
      return store(tenant, table, layout, id, local);
    } finally {
      for (Directory source : sources) {
        source.close();
      }
      SegmentStorage.deleteTree(local);
    }
  }

  private static IndexRegistry.Segment store(String tenant, Table table, IndexedTable layout, String id, Path local)
      throws IOException {
    long rows;
    long minTime = 0;
    long maxTime = 0;
    try (Directory directory = FSDirectory.open(local); DirectoryReader reader = DirectoryReader.open(directory)) {
      rows = reader.numDocs();
      if (rows > 0) {
        minTime = LongPoint.decodeDimension(PointValues.getMinPackedValue(reader, IndexedTable.TIME), 0);
        maxTime = LongPoint.decodeDimension(PointValues.getMaxPackedValue(reader, IndexedTable.TIME), 0);
      }
    }
    String location = SegmentStorage.location(table.location(), id);
    SegmentStorage.Stored stored = SegmentStorage.upload(table.io(), local, location);
    return new IndexRegistry.Segment(id, tenant, layout.tableName(), location, stored.files(), minTime, maxTime, rows,
        stored.sizeBytes(), System.currentTimeMillis());
  }
}
