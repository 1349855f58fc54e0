-- Organization API keys. Only a salted PBKDF2 hash is kept: a leaked table gives no usable key.
-- key_id is the public part of the key, so a request finds its row without scanning hashes.
CREATE TABLE IF NOT EXISTS upflow_api_keys (
    key_id          text        PRIMARY KEY,
    organization_id text        NOT NULL,
    salt            bytea       NOT NULL,
    hash            bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS upflow_api_keys_organization ON upflow_api_keys (organization_id);
