-- Where a batched evaluation of another feed (the ledger's events) stands:
-- moved in the transaction that keeps the batch's decisions and counts.
CREATE TABLE risk.cursors (
	name     text PRIMARY KEY,
	position bigint NOT NULL
);
