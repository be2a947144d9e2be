-- Tenants own one Iceberg namespace each; 'default' exists out of the box.
CREATE TABLE tenants (
    tenant_id  VARCHAR(64) PRIMARY KEY,
    created_at TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

INSERT INTO tenants (tenant_id) VALUES ('default');
