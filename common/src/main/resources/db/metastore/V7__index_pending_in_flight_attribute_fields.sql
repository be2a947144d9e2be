-- Issue 15 (index part). Numbered 9 to leave 7 and 8 to the other parts of the issue.
-- index_files.visible: 0 while a file replaces others (compaction) and the files it replaces are
-- still indexed; search reads visible files only, and one transaction swaps the old for the new.
ALTER TABLE index_files ADD COLUMN visible INTEGER NOT NULL DEFAULT 1;

-- Segments the index job is building or merging, registered before their first file is written,
-- so orphan removal leaves their folders alone. started_at is epoch milliseconds.
CREATE TABLE index_in_flight (
    segment_id  VARCHAR(64)   PRIMARY KEY,
    tenant      VARCHAR(128)  NOT NULL,
    table_name  VARCHAR(64)   NOT NULL,
    location    VARCHAR(2000) NOT NULL,
    started_at  BIGINT        NOT NULL
);
CREATE INDEX index_in_flight_by_table ON index_in_flight (tenant, table_name);

-- The attribute fields (attributes.<key>, resource_attributes.<key>) a table indexes as Lucene
-- fields of their own, first come first served up to index.max_attribute_fields; the other keys
-- go to the table's catch-all field.
CREATE TABLE index_attribute_fields (
    tenant      VARCHAR(128)  NOT NULL,
    table_name  VARCHAR(64)   NOT NULL,
    field_name  VARCHAR(600)  NOT NULL,
    PRIMARY KEY (tenant, table_name, field_name)
);
