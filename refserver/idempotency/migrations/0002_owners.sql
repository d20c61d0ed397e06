-- Every server process registers as an owner and holds a session-level
-- advisory lock on (lock class, id) for as long as it runs; a claim names
-- its owner, so a claim whose owner's lock is free belongs to a process
-- that died and is taken over at once instead of after its lease.
CREATE TABLE refserver.idempotency_owners (
	id          integer     PRIMARY KEY,
	started_at  timestamptz NOT NULL,
	backend_pid integer     NOT NULL
);
ALTER TABLE refserver.idempotency_keys ADD COLUMN owner integer;
-- A key's row is updated once, soon after its insert, when its response is
-- recorded: room left on each page lets that update stay on the page (a
-- HOT update, no new index entries).
ALTER TABLE refserver.idempotency_keys SET (fillfactor = 70);
