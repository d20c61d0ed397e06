-- Clients' own references for the accounts they open and the holds they
-- place (ledger/externalref.go): unique per client, found by lookups.
ALTER TABLE ledger.accounts
	ADD COLUMN ref_client   text,
	ADD COLUMN external_ref text;
CREATE UNIQUE INDEX accounts_external_ref ON ledger.accounts (ref_client, external_ref)
	WHERE external_ref IS NOT NULL;

ALTER TABLE ledger.holds
	ADD COLUMN ref_client   text,
	ADD COLUMN external_ref text;
CREATE UNIQUE INDEX holds_external_ref ON ledger.holds (ref_client, external_ref)
	WHERE external_ref IS NOT NULL;
