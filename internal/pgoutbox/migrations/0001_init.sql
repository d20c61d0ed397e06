-- The event outbox of one source, in the source's own schema. pgmigrate
-- writes the schema's name for {{schema}}.
--
-- A row is written in the transaction of the change it describes. Only
-- event_id is required: a source on a hot path writes (event_id) or
-- (event_id, type) and renders the rest when the row is read. The
-- sequence is assigned later, when the committed row is first read, under
-- the lock on the single event_sequencer row and in insertion (id) order,
-- so a reader never sees sequence n+1 before n. The same step sets
-- occurred_at where the row left it empty; pruning ages rows by it.
CREATE TABLE {{schema}}.event_outbox (
	id            bigserial PRIMARY KEY,
	sequence      bigint,
	event_id      uuid NOT NULL,
	type          text,
	version       integer,
	occurred_at   timestamptz,
	business_date date,
	subjects      uuid[],
	payload       json
);
CREATE UNIQUE INDEX event_outbox_sequence_key ON {{schema}}.event_outbox (sequence) WHERE sequence IS NOT NULL;
CREATE INDEX event_outbox_unsequenced ON {{schema}}.event_outbox (id) WHERE sequence IS NULL;

CREATE TABLE {{schema}}.event_sequencer (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	last      bigint NOT NULL
);
INSERT INTO {{schema}}.event_sequencer (last) VALUES (0);

-- One row per subscriber: the sequence of the last event it accepted.
CREATE TABLE {{schema}}.event_cursors (
	name     text PRIMARY KEY,
	sequence bigint NOT NULL DEFAULT 0 CHECK (sequence >= 0)
);
