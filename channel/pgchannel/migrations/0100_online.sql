-- Online and mobile banking: second-factor enrolments, bound devices,
-- step-up proofs, payees, and the customer's limits with their counters.
-- Identities and customers are referred to by id only: the online records
-- stand apart from the login tables, as OnlineStore does.
CREATE TABLE channel.second_factors (
	identity_id  uuid PRIMARY KEY,
	secret       bytea NOT NULL,
	created_at   timestamptz NOT NULL,
	confirmed_at timestamptz,
	last_step    bigint NOT NULL DEFAULT 0,
	failures     integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
	locked_until timestamptz,
	-- [{"hash": "<hex sha-256>", "used_at": "<time>"|null}, ...]
	recovery     jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE channel.devices (
	identity_id uuid NOT NULL,
	id          text NOT NULL,
	public_key  bytea NOT NULL CHECK (length(public_key) = 32),
	name        text NOT NULL,
	first_seen  timestamptz NOT NULL,
	last_seen   timestamptz NOT NULL,
	revoked_at  timestamptz,
	PRIMARY KEY (identity_id, id)
);

CREATE TABLE channel.step_ups (
	id          uuid PRIMARY KEY,
	token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
	identity_id uuid NOT NULL,
	session_id  uuid NOT NULL,
	action      text NOT NULL,
	params_hash bytea NOT NULL CHECK (length(params_hash) = 32),
	created_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	used_at     timestamptz,
	CONSTRAINT step_ups_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX step_ups_expires_at_idx ON channel.step_ups (expires_at);

CREATE TABLE channel.payees (
	id             uuid PRIMARY KEY,
	customer_id    text NOT NULL,
	name           text NOT NULL,
	account_id     text NOT NULL DEFAULT '',
	bank_code      text NOT NULL DEFAULT '',
	account_number text NOT NULL DEFAULT '',
	created_at     timestamptz NOT NULL,
	cooling_until  timestamptz NOT NULL,
	CONSTRAINT payees_account_key UNIQUE (customer_id, account_id, bank_code, account_number)
);

CREATE TABLE channel.limits (
	customer_id     text NOT NULL,
	channel         text NOT NULL,
	currency        text NOT NULL,
	per_transaction numeric NOT NULL CHECK (per_transaction >= 0),
	per_day         numeric NOT NULL CHECK (per_day >= 0),
	per_month       numeric NOT NULL CHECK (per_month >= 0),
	updated_at      timestamptz NOT NULL,
	PRIMARY KEY (customer_id, channel, currency)
);

-- One counter row per customer, channel and currency: what the day's and
-- the month's reservations add up to. A row of an earlier day or month is
-- reset by the next reservation.
CREATE TABLE channel.limit_usage (
	customer_id text NOT NULL,
	channel     text NOT NULL,
	currency    text NOT NULL,
	day         text NOT NULL,
	day_used    numeric NOT NULL,
	month       text NOT NULL,
	month_used  numeric NOT NULL,
	PRIMARY KEY (customer_id, channel, currency)
);

CREATE TABLE channel.limit_reservations (
	idempotency_key text PRIMARY KEY,
	customer_id     text NOT NULL,
	channel         text NOT NULL,
	currency        text NOT NULL,
	amount          numeric NOT NULL CHECK (amount > 0),
	day             text NOT NULL,
	month           text NOT NULL,
	created_at      timestamptz NOT NULL
);
CREATE INDEX limit_reservations_day_idx ON channel.limit_reservations (day, idempotency_key);
