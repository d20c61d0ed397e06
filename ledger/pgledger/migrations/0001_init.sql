-- The ledger's tables. Amounts are NUMERIC in the account's currency;
-- every CHECK here is a backstop behind the Go rules (ledger.Apply), so a
-- bug in a store cannot write a ledger that does not add up.

CREATE TABLE ledger.business_date (
	singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	business_date date NOT NULL
);

CREATE TABLE ledger.accounts (
	id              uuid PRIMARY KEY,
	number          text NOT NULL,
	code            text,
	owner_id        text,
	product         text NOT NULL,
	currency        text NOT NULL,
	normal_side     text NOT NULL CHECK (normal_side IN ('debit', 'credit')),
	status          text NOT NULL,
	policy_kind     text NOT NULL,
	policy_limit    numeric NOT NULL DEFAULT 0 CHECK (policy_limit >= 0),
	opened_on       date NOT NULL,
	created_at      timestamptz NOT NULL,
	idempotency_key text,
	fingerprint     bytea,
	CONSTRAINT accounts_number_key UNIQUE (number),
	CONSTRAINT accounts_idempotency_key UNIQUE (idempotency_key)
);
CREATE UNIQUE INDEX accounts_chart_key ON ledger.accounts (currency, code) WHERE code IS NOT NULL;
CREATE INDEX accounts_owner ON ledger.accounts (owner_id, id);

-- balances holds the running balance that postings lock. A checked account
-- (non-negative or overdraft policy) has one row, shard 0, whose floor is
-- the lowest balance - held the policy allows. An unchecked internal
-- account has several shard rows with a NULL floor: each entry updates one
-- of them, so the bank's hot accounts (vault cash takes part in every cash
-- deposit) never queue behind one row lock; their balance is the sum.
-- status is copied onto every row of the account, so a posting reads the
-- account's current status under the same lock as its balance.
CREATE TABLE ledger.balances (
	account_id uuid NOT NULL REFERENCES ledger.accounts (id),
	shard      smallint NOT NULL CHECK (shard >= 0),
	status     text NOT NULL,
	balance    numeric NOT NULL DEFAULT 0,
	held       numeric NOT NULL DEFAULT 0,
	floor      numeric,
	-- excused is how far below floor a reversal has pushed the balance
	-- (reversals ignore the policy); it can only shrink afterwards.
	excused    numeric NOT NULL DEFAULT 0 CHECK (excused >= 0),
	PRIMARY KEY (account_id, shard),
	CONSTRAINT balances_held_non_negative CHECK (floor IS NULL OR held >= 0),
	CONSTRAINT balances_within_policy CHECK (floor IS NULL OR balance - held + excused >= floor)
) WITH (fillfactor = 70); -- room on each page for HOT updates of the hot rows

-- entries carry their per-currency debit and credit totals, computed by
-- the inserting statement from the very postings it inserts; the CHECK
-- refuses an entry whose postings do not balance.
CREATE TABLE ledger.entries (
	id              uuid PRIMARY KEY,
	kind            text NOT NULL,
	idempotency_key text,
	fingerprint     bytea,
	value_date      date NOT NULL,
	booked_at       timestamptz NOT NULL,
	description     text NOT NULL DEFAULT '',
	metadata        jsonb,
	reverses        uuid,
	hold_id         uuid,
	currencies      text[] NOT NULL,
	debits          numeric[] NOT NULL,
	credits         numeric[] NOT NULL,
	CONSTRAINT entries_balanced CHECK (
		cardinality(currencies) >= 1
		AND cardinality(debits) = cardinality(currencies)
		AND debits = credits)
);

-- Unique partial indexes: most entries have neither a key nor a reversal,
-- and skipping their NULLs saves two index insertions per entry.
CREATE UNIQUE INDEX entries_idempotency_key ON ledger.entries (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX entries_reverses_key ON ledger.entries (reverses) WHERE reverses IS NOT NULL;

-- postings has no foreign keys: the statement that inserts an entry's
-- postings inserts the entry too, and one that names a missing account
-- never gets that far (the account's balance row must be locked first).
-- A foreign-key check per posting would double the work of the insert.
CREATE TABLE ledger.postings (
	entry_id   uuid NOT NULL,
	idx        smallint NOT NULL,
	account_id uuid NOT NULL,
	side       text NOT NULL CHECK (side IN ('debit', 'credit')),
	amount     numeric NOT NULL CHECK (amount > 0),
	currency   text NOT NULL,
	value_date date NOT NULL,
	PRIMARY KEY (entry_id, idx)
);
CREATE INDEX postings_account ON ledger.postings (account_id, value_date, entry_id);

CREATE TABLE ledger.holds (
	id               uuid PRIMARY KEY,
	account_id       uuid NOT NULL REFERENCES ledger.accounts (id),
	amount           numeric NOT NULL CHECK (amount > 0),
	currency         text NOT NULL,
	status           text NOT NULL,
	expires_at       timestamptz,
	description      text NOT NULL DEFAULT '',
	idempotency_key  text,
	fingerprint      bytea,
	created_at       timestamptz NOT NULL,
	closed_at        timestamptz,
	capture_entry_id uuid,
	captured         numeric,
	CONSTRAINT holds_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX holds_account ON ledger.holds (account_id, id);
CREATE INDEX holds_expiring ON ledger.holds (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;

-- outbox has one row per posted entry, written in the entry's transaction.
-- Its sequence is assigned later, by Events, to committed rows only and in
-- one serialized step, so a reader never sees sequence n+1 before n.
CREATE TABLE ledger.outbox (
	id       bigserial PRIMARY KEY,
	entry_id uuid NOT NULL,
	sequence bigint
);
CREATE UNIQUE INDEX outbox_sequence_key ON ledger.outbox (sequence) WHERE sequence IS NOT NULL;
CREATE INDEX outbox_unsequenced ON ledger.outbox (id) WHERE sequence IS NULL;

CREATE TABLE ledger.outbox_sequencer (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	last      bigint NOT NULL
);
INSERT INTO ledger.outbox_sequencer (last) VALUES (0);

CREATE TABLE ledger.subscriber_cursors (
	subscriber text PRIMARY KEY,
	sequence   bigint NOT NULL CHECK (sequence >= 0)
);
