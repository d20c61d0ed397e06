-- What the bank's end of day keeps per business date: the ATM fleet's
-- reconciliation against the ledger ('atm') and the limit reservations'
-- reconciliation ('limits'). One row per kind and date: a re-run of a
-- step finds the row and keeps it.
CREATE TABLE channel.day_reports (
	kind       text NOT NULL,
	day        date NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (kind, day)
);
