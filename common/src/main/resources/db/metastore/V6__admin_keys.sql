-- Admin keys: every tenant's data and the operator APIs. Stored as SHA-256 hashes, like tenant keys.
CREATE TABLE admin_keys (
    key_id     VARCHAR(32) PRIMARY KEY,
    key_hash   VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);
