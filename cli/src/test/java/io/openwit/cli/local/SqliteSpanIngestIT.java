package io.openwit.cli.local;

/** {@link SpanIngestIT} with the single-node default metastore, an SQLite file. */
class SqliteSpanIngestIT extends SpanIngestIT {
  @Override
  Metastores metastore() {
    return Metastores.SQLITE;
  }
}
