CREATE TABLE refserver.idempotency_keys (
	key          text        PRIMARY KEY,
	fingerprint  bytea       NOT NULL CHECK (length(fingerprint) = 32),
	created_at   timestamptz NOT NULL,
	lease_until  timestamptz NOT NULL,
	status       integer,
	header       jsonb,
	body         bytea,
	CHECK ((status IS NULL) = (body IS NULL))
);
CREATE INDEX idempotency_keys_created_at ON refserver.idempotency_keys (created_at);
