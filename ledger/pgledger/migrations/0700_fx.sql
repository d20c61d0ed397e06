-- Foreign exchange (ledger/fx). Like clearing's records, these go with
-- postings made through the ordinary posting path, tied to them by the
-- idempotency keys derived from the conversion's id, so no foreign key
-- points into ledger.entries.

-- The treasury's published rates; the one in force at a moment is the
-- latest published at or before it.
CREATE TABLE ledger.fx_rates (
	id            uuid PRIMARY KEY,
	base          text NOT NULL,
	quote         text NOT NULL,
	mid           numeric NOT NULL CHECK (mid > 0),
	buy           numeric NOT NULL CHECK (buy > 0),
	sell          numeric NOT NULL CHECK (sell > 0),
	source        text NOT NULL,
	business_date date NOT NULL,
	published_at  timestamptz NOT NULL,
	CONSTRAINT fx_rates_pair_instant UNIQUE (base, quote, published_at)
);
CREATE INDEX fx_rates_by_date ON ledger.fx_rates (base, quote, business_date, published_at);

-- Quotes are read whole by id; nothing queries inside the record.
CREATE TABLE ledger.fx_quotes (
	id     uuid PRIMARY KEY,
	record jsonb NOT NULL
);

-- Conversion records. The columns are what is queried or changed; the
-- rest of the record is kept whole in record. A quote is claimed by at
-- most one conversion (quote_id is unique; a cancelled conversion's row is
-- deleted, which frees it).
CREATE TABLE ledger.fx_conversions (
	id               uuid PRIMARY KEY,
	idempotency_key  text,
	fingerprint      bytea NOT NULL,
	status           text NOT NULL CHECK (status IN ('pending', 'posted')),
	entry_id         uuid,
	quote_id         uuid,
	owner_id         text NOT NULL,
	side             text NOT NULL CHECK (side IN ('buy', 'sell')),
	quota_year       integer NOT NULL,
	quota_amount     numeric NOT NULL,
	foreign_currency text NOT NULL,
	foreign_amount   numeric NOT NULL CHECK (foreign_amount > 0),
	home_at_mid      numeric NOT NULL,
	income           numeric NOT NULL,
	record           jsonb NOT NULL,
	CONSTRAINT fx_conversions_idempotency_key UNIQUE (idempotency_key),
	CONSTRAINT fx_conversions_quote UNIQUE (quote_id)
);

-- Each person's quota usage per calendar year and side, pending and posted
-- conversions together; the row is the lock that keeps two conversions
-- from both taking the last of a quota.
CREATE TABLE ledger.fx_quota_usage (
	owner_id text NOT NULL,
	year     integer NOT NULL,
	side     text NOT NULL,
	used     numeric NOT NULL CHECK (used >= 0),
	PRIMARY KEY (owner_id, year, side)
);

-- One revaluation per business date and foreign currency.
CREATE TABLE ledger.fx_revaluations (
	business_date date NOT NULL,
	currency      text NOT NULL,
	gain          numeric NOT NULL,
	entry_id      uuid,
	record        jsonb NOT NULL,
	PRIMARY KEY (business_date, currency)
);
