-- The ATM and self-service fleet: devices (with the hash of each one's own
-- credential), withdrawals at the devices, replenishment orders and fault
-- tickets. Ledger accounts and holds are referred to by id only.
CREATE TABLE channel.atms (
	id              text PRIMARY KEY,
	credential_hash bytea NOT NULL UNIQUE CHECK (length(credential_hash) = 32),
	branch          text NOT NULL,
	address         text NOT NULL,
	latitude        numeric NOT NULL,
	longitude       numeric NOT NULL,
	model           text NOT NULL,
	-- [{"currency", "denomination", "capacity", "count", "low_at"}, ...]
	cassettes       jsonb NOT NULL,
	-- the cassettes' counts in order, beside the JSON so that a heartbeat
	-- compares them in its one statement
	counts          integer[] NOT NULL,
	-- {"<currency>": "<ledger account id>", ...}
	cash_accounts   jsonb NOT NULL,
	state           text NOT NULL,
	fault_code      text NOT NULL DEFAULT '',
	last_heartbeat  timestamptz,
	open_ticket     uuid,
	created_at      timestamptz NOT NULL
);

CREATE TABLE channel.atm_withdrawals (
	device_id  text NOT NULL,
	txn_id     text NOT NULL,
	id         uuid NOT NULL UNIQUE,
	account_id text NOT NULL,
	currency   text NOT NULL,
	amount     numeric NOT NULL CHECK (amount > 0),
	state      text NOT NULL,
	hold_id    text NOT NULL DEFAULT '',
	plan       jsonb NOT NULL,
	dispensed  jsonb NOT NULL,
	reason     text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	settled_at timestamptz,
	PRIMARY KEY (device_id, txn_id)
);
CREATE INDEX atm_withdrawals_device_created ON channel.atm_withdrawals (device_id, created_at, id);
CREATE INDEX atm_withdrawals_unsettled ON channel.atm_withdrawals (device_id)
	WHERE settled_at IS NULL AND state IN ('dispensed', 'partial', 'failed');

CREATE TABLE channel.atm_replenishments (
	id            uuid PRIMARY KEY,
	device_id     text NOT NULL,
	state         text NOT NULL,
	scheduled_for date NOT NULL,
	lines         jsonb NOT NULL,
	returned      jsonb NOT NULL,
	posted        boolean NOT NULL DEFAULT false,
	created_at    timestamptz NOT NULL,
	loaded_at     timestamptz,
	confirmed_at  timestamptz
);
CREATE INDEX atm_replenishments_device ON channel.atm_replenishments (device_id, id);

CREATE TABLE channel.atm_tickets (
	id         uuid PRIMARY KEY,
	device_id  text NOT NULL,
	code       text NOT NULL,
	opened_at  timestamptz NOT NULL,
	closed_at  timestamptz,
	updated_at timestamptz NOT NULL
);
CREATE INDEX atm_tickets_device ON channel.atm_tickets (device_id, opened_at, id);
