-- API keys, stored as SHA-256 hashes of the whole key; key_id is the key's public prefix.
CREATE TABLE api_keys (
    key_id     VARCHAR(32) PRIMARY KEY,
    tenant_id  VARCHAR(64) NOT NULL REFERENCES tenants (tenant_id),
    key_hash   VARCHAR(64) NOT NULL UNIQUE,
    created_at TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
