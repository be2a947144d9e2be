-- Every OpenWit process, by its heartbeats.
CREATE TABLE cluster_nodes (
    node_id        VARCHAR(200) PRIMARY KEY,
    role           VARCHAR(32)  NOT NULL,
    address        VARCHAR(256) NOT NULL,
    version        VARCHAR(64)  NOT NULL,
    started_at     BIGINT       NOT NULL,
    last_heartbeat BIGINT       NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    ready          BOOLEAN      NOT NULL DEFAULT FALSE
);

-- Leases for singleton work (the janitor): held until expires_at unless renewed by the holder.
CREATE TABLE leases (
    name        VARCHAR(64)  PRIMARY KEY,
    holder      VARCHAR(200) NOT NULL,
    acquired_at BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
