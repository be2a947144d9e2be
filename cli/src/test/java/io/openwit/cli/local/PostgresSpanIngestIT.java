package io.openwit.cli.local;

/** {@link SpanIngestIT} with the metastore and the Iceberg catalog tables in PostgreSQL. */
class PostgresSpanIngestIT extends SpanIngestIT {
  @Override
  Metastores metastore() {
    return Metastores.POSTGRESQL;
  }
}
