-- Clearing and reconciliation (ledger.Clearing). The records here go with
-- postings made through the ordinary posting path; each step that must go
-- with a posting is made safe by the posting's idempotency key, so no
-- foreign key ties them to ledger.entries.

CREATE TABLE ledger.clearing_transfers (
	id                       uuid PRIMARY KEY,
	entry_id                 uuid NOT NULL,
	from_account_id          uuid NOT NULL,
	from_account_number      text NOT NULL,
	debtor_name              text NOT NULL,
	to_bank_code             text NOT NULL,
	to_account_number        text NOT NULL,
	to_name                  text NOT NULL,
	amount                   numeric NOT NULL CHECK (amount > 0),
	currency                 text NOT NULL,
	end_to_end_id            text NOT NULL,
	description              text NOT NULL,
	status                   text NOT NULL CHECK (status IN ('pending_clearing', 'batched', 'settled', 'returned')),
	batch_id                 uuid,
	return_entry_id          uuid,
	return_reason            text NOT NULL DEFAULT '',
	return_info              text NOT NULL DEFAULT '',
	returned_from_settlement boolean NOT NULL DEFAULT false,
	created_at               timestamptz NOT NULL,
	updated_at               timestamptz NOT NULL,
	idempotency_key          text NOT NULL,
	fingerprint              bytea NOT NULL,
	CONSTRAINT clearing_transfers_end_to_end_key UNIQUE (end_to_end_id),
	CONSTRAINT clearing_transfers_idempotency_key UNIQUE (idempotency_key)
);
-- The cut of a batch reads the pending transfers of a currency in ID order.
CREATE INDEX clearing_transfers_pending ON ledger.clearing_transfers (currency, id) WHERE status = 'pending_clearing';
CREATE INDEX clearing_transfers_batch ON ledger.clearing_transfers (batch_id, id) WHERE batch_id IS NOT NULL;

CREATE TABLE ledger.clearing_batches (
	id                  uuid PRIMARY KEY,
	message_id          text NOT NULL UNIQUE,
	currency            text NOT NULL,
	total               numeric NOT NULL CHECK (total > 0),
	settlement_date     date NOT NULL,
	created_at          timestamptz NOT NULL,
	settled             boolean NOT NULL DEFAULT false,
	settled_at          timestamptz,
	settled_total       numeric,
	settlement_entry_id uuid
);

-- Outcomes of inbound messages and reconciliation reports are kept whole,
-- encoded by pgledger (encoding/gob), for replays: nothing queries inside
-- them.
CREATE TABLE ledger.clearing_inbound (
	kind       text NOT NULL,
	message_id text NOT NULL,
	report     bytea NOT NULL,
	PRIMARY KEY (kind, message_id)
);

CREATE TABLE ledger.recon_reports (
	account_id   uuid NOT NULL,
	statement_id text NOT NULL,
	report       bytea NOT NULL,
	PRIMARY KEY (account_id, statement_id)
);

-- Postings a statement matched, or an adjustment settled: never matched again.
CREATE TABLE ledger.recon_reconciled (
	account_id uuid NOT NULL,
	entry_id   uuid NOT NULL,
	PRIMARY KEY (account_id, entry_id)
);

CREATE TABLE ledger.recon_breaks (
	id                  uuid PRIMARY KEY,
	account_id          uuid NOT NULL,
	statement_id        text NOT NULL,
	side                text NOT NULL CHECK (side IN ('statement', 'ledger')),
	line                integer NOT NULL,
	entry_id            uuid,
	amount              numeric NOT NULL,
	currency            text NOT NULL,
	value_date          date NOT NULL,
	reference           text NOT NULL,
	status              text NOT NULL CHECK (status IN ('open', 'resolved', 'cleared')),
	adjustment_entry_id uuid,
	resolved_by         text NOT NULL DEFAULT '',
	resolved_at         timestamptz
);
-- One open ledger break per posting.
CREATE UNIQUE INDEX recon_breaks_open_entry ON ledger.recon_breaks (entry_id) WHERE status = 'open' AND side = 'ledger';
