-- The full-text index: Lucene segments stored in the warehouse beside each table's data
-- (index_segments), and which data file each segment indexes (index_files). A data file is
-- indexed at most once: its path is the key. Times are epoch microseconds of the rows' time
-- column; created_at is epoch milliseconds.
CREATE TABLE index_segments (
    segment_id  VARCHAR(64)   PRIMARY KEY,
    tenant      VARCHAR(128)  NOT NULL,
    table_name  VARCHAR(64)   NOT NULL,
    location    VARCHAR(2000) NOT NULL,
    files       VARCHAR(2000) NOT NULL,
    min_time    BIGINT        NOT NULL,
    max_time    BIGINT        NOT NULL,
    row_count   BIGINT        NOT NULL,
    size_bytes  BIGINT        NOT NULL,
    created_at  BIGINT        NOT NULL
);
CREATE INDEX index_segments_by_table ON index_segments (tenant, table_name, max_time);

CREATE TABLE index_files (
    data_file    VARCHAR(2000) PRIMARY KEY,
    segment_id   VARCHAR(64)   NOT NULL,
    tenant       VARCHAR(128)  NOT NULL,
    table_name   VARCHAR(64)   NOT NULL,
    record_count BIGINT        NOT NULL
);
CREATE INDEX index_files_by_segment ON index_files (segment_id);
CREATE INDEX index_files_by_table ON index_files (tenant, table_name);
