-- Issue 15 (index poison files). Data files the index job cannot read (corrupt, truncated, missing
-- from storage, a row it cannot index) even on their own and after retries, while the table's
-- storage answers: the planner no longer hands them to the builder. Deleting a row has the file
-- planned again (after it was repaired). Rows of files that left the table are deleted by the
-- planner. marked_at is epoch milliseconds.
CREATE TABLE index_unindexable_files (
    data_file   VARCHAR(2000) PRIMARY KEY,
    tenant      VARCHAR(128)  NOT NULL,
    table_name  VARCHAR(64)   NOT NULL,
    reason      VARCHAR(2000) NOT NULL,
    marked_at   BIGINT        NOT NULL
);
CREATE INDEX index_unindexable_files_by_table ON index_unindexable_files (tenant, table_name);
