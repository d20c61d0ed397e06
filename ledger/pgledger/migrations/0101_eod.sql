-- End of day: interest products, each interest-bearing account's accrual
-- state, the record of each run, and time deposits.

-- Products are read whole by the runner, so their terms are one JSON value.
CREATE TABLE ledger.interest_products (
	code     text PRIMARY KEY,
	currency text NOT NULL,
	terms    jsonb NOT NULL
);

-- One row per interest-bearing account: every field of interest.Accrual,
-- so that a run resumed anywhere continues from exactly what was saved.
-- The keyset pages of the runner walk the primary key. Every row is
-- rewritten every night and no indexed column changes, so half of each
-- page is left free for the new versions: the updates stay HOT and write
-- no index entries.
CREATE TABLE ledger.interest_accounts (
	account_id   uuid PRIMARY KEY,
	currency     text NOT NULL,
	product      text NOT NULL,
	accrue_from  date NOT NULL,
	period_start date,
	last_accrued date,
	credit       numeric NOT NULL DEFAULT 0 CHECK (credit >= 0),
	compounded   numeric NOT NULL DEFAULT 0 CHECK (compounded >= 0),
	debit        numeric NOT NULL DEFAULT 0 CHECK (debit >= 0),
	balance_sum  numeric NOT NULL DEFAULT 0 CHECK (balance_sum >= 0),
	days         integer NOT NULL DEFAULT 0 CHECK (days >= 0),
	credit_carry numeric NOT NULL DEFAULT 0,
	debit_carry  numeric NOT NULL DEFAULT 0,
	tax_carry    numeric NOT NULL DEFAULT 0
) WITH (fillfactor = 50);

CREATE TABLE ledger.eod_runs (
	business_date date PRIMARY KEY,
	step          text NOT NULL,
	record        jsonb NOT NULL
);

CREATE TABLE ledger.time_deposits (
	id              uuid PRIMARY KEY,
	idempotency_key text,
	status          text NOT NULL,
	maturity        date NOT NULL,
	record          jsonb NOT NULL,
	CONSTRAINT time_deposits_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX time_deposits_open ON ledger.time_deposits (id) WHERE status = 'open';
