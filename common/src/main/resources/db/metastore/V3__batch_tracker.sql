-- One row per batch: an accepted OTLP request, or what the pipeline consumed from one partition of
-- an external topic between two checkpoints. Times are epoch milliseconds (portable between
-- PostgreSQL and SQLite); a stage's flag is set only from the event that proves it.
CREATE TABLE batch_tracker (
    batch_id          VARCHAR(400) NOT NULL PRIMARY KEY,
    tenant_id         VARCHAR(64)  NOT NULL,
    signal            VARCHAR(16)  NOT NULL,
    source            VARCHAR(16)  NOT NULL,
    topics            VARCHAR(512),
    kafka_partition   INTEGER,
    first_offset      BIGINT,
    last_offset       BIGINT,
    encoding          VARCHAR(16),
    batch_size        BIGINT,
    message_count     BIGINT,
    first_seen_at     BIGINT       NOT NULL,
    created           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT,
    wal_written       BOOLEAN NOT NULL DEFAULT FALSE,
    wal_written_at    BIGINT,
    ingested          BOOLEAN NOT NULL DEFAULT FALSE,
    ingested_at       BIGINT,
    stored            BOOLEAN NOT NULL DEFAULT FALSE,
    stored_at         BIGINT,
    indexed           BOOLEAN NOT NULL DEFAULT FALSE,
    indexed_at        BIGINT,
    completed         BOOLEAN NOT NULL DEFAULT FALSE,
    completed_at      BIGINT,
    flink_job_id      VARCHAR(64),
    checkpoint_id     BIGINT,
    snapshot_id       BIGINT,
    error_stage       VARCHAR(32),
    error_message     VARCHAR(2000),
    retry_count       INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX batch_tracker_open ON batch_tracker (completed, first_seen_at);
CREATE INDEX batch_tracker_unstored ON batch_tracker (stored, tenant_id, signal);

-- The newest checkpoint of each Flink job whose rows a table's committed snapshots contain, read
-- from the snapshot summary at commit; batches of that job at or below it are stored.
CREATE TABLE table_commits (
    tenant_id     VARCHAR(64) NOT NULL,
    signal        VARCHAR(16) NOT NULL,
    flink_job_id  VARCHAR(64) NOT NULL,
    checkpoint_id BIGINT      NOT NULL,
    snapshot_id   BIGINT      NOT NULL,
    committed_at  BIGINT      NOT NULL,
    PRIMARY KEY (tenant_id, signal, flink_job_id)
);
