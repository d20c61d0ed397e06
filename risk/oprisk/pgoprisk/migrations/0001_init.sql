-- The permission catalogue: every permission and the roles that hold it.
CREATE TABLE oprisk.permissions (
    name    TEXT PRIMARY KEY,
    summary TEXT NOT NULL
);

CREATE TABLE oprisk.grants (
    role       TEXT NOT NULL,
    permission TEXT NOT NULL REFERENCES oprisk.permissions (name),
    PRIMARY KEY (role, permission)
);

-- Held requests (maker-checker). The whole request is kept as a JSON
-- document; the columns beside it are what lists and counts filter on.
CREATE TABLE oprisk.requests (
    id          UUID PRIMARY KEY,
    status      TEXT NOT NULL,
    maker_id    TEXT NOT NULL,
    maker_roles TEXT[] NOT NULL,
    checker_id  TEXT,
    checked_at  TIMESTAMPTZ,
    doc         JSONB NOT NULL
);
CREATE INDEX requests_status ON oprisk.requests (status, id);
CREATE INDEX requests_checker ON oprisk.requests (checker_id, checked_at);

-- The audit trail: one row per staff action, each carrying the hash of the
-- row before it. audit_head holds the last sequence number and hash
-- appended; appends lock it, so there is one chain and no gap.
CREATE TABLE oprisk.audit (
    seq        BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    roles      TEXT[] NOT NULL,
    action     TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    object     TEXT NOT NULL,
    outcome    INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    address    TEXT NOT NULL,
    pii        BOOLEAN NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);
CREATE INDEX audit_actor_action ON oprisk.audit (actor_id, action, object);
CREATE INDEX audit_actor_at ON oprisk.audit (actor_id, at);
CREATE INDEX audit_request ON oprisk.audit (request_id);

CREATE TABLE oprisk.audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);
INSERT INTO oprisk.audit_head (id, seq, hash) VALUES (1, 0, '');

-- Staff-behaviour alerts, one per kind, actor and window (key).
CREATE TABLE oprisk.alerts (
    id  UUID PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    doc JSONB NOT NULL
);
