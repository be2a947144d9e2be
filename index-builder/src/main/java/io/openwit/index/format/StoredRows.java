package io.openwit.index.format;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.avro.IcebergDecoder;
import org.apache.iceberg.data.avro.IcebergEncoder;

/**
 * Whole rows kept in a segment's stored field {@link IndexedTable#ROW}, in Iceberg's Avro
 * single-object encoding: each row names its schema by fingerprint, so rows stored before the
 * table's schema changed still decode, into the table's current schema.
 */
public final class StoredRows {
  private final IcebergDecoder<Record> decoder;

  private StoredRows(IcebergDecoder<Record> decoder) {
    this.decoder = decoder;
  }

  /** An encoder for rows of {@code tableSchema} (rows read with the whole table schema). */
  public static IcebergEncoder<Record> encoder(Schema tableSchema) {
    return new IcebergEncoder<>(tableSchema);
  }

  public static byte[] encode(IcebergEncoder<Record> encoder, Record row) {
    try {
      ByteBuffer buffer = encoder.encode(row);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a row for the index", e);
    }
  }

  /** Decodes rows stored under any of {@code table}'s schemas into its current one. */
  public static StoredRows of(Table table) {
    return of(table.schema(), table.schemas().values());
  }

  /** Decodes rows stored under any of {@code history} into {@code current}. */
  public static StoredRows of(Schema current, Iterable<Schema> history) {
    IcebergDecoder<Record> decoder = new IcebergDecoder<>(current);
    history.forEach(decoder::addSchema);
    return new StoredRows(decoder);
  }

  public Record decode(byte[] storedRow) {
    try {
      return decoder.decode(new ByteArrayInputStream(storedRow), null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decode a row stored in the index", e);
    }
  }
}
