-- The bank-wide end of day (package refserver/closing). Its versions start
-- at 0200 because the schema "refserver" also holds the idempotency
-- store's migrations (0001...), and versions are counted per schema.

-- closing_lease is the one run lease: who runs end of day, and until when
-- unless renewed.
CREATE TABLE refserver.closing_lease (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	owner     text NOT NULL,
	until     timestamptz NOT NULL
);

-- closing_steps is each step's progress per business date.
CREATE TABLE refserver.closing_steps (
	business_date date NOT NULL,
	step          text NOT NULL,
	status        text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
	attempts      integer NOT NULL CHECK (attempts > 0),
	started_at    timestamptz NOT NULL,
	finished_at   timestamptz,
	error         text NOT NULL DEFAULT '',
	PRIMARY KEY (business_date, step)
);
