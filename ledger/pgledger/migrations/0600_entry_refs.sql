-- Clients' own references for the entries they post (deposits,
-- withdrawals, transfers, journal entries; ledger/externalref.go): unique
-- per client, written in the posting transaction, found by lookups and
-- carried by the entries' events. A table of its own rather than columns
-- of ledger.entries, so that write_entries, the posting path's one
-- statement, stays as it is for the entries without one.
CREATE TABLE ledger.entry_refs (
	entry_id     uuid PRIMARY KEY REFERENCES ledger.entries (id),
	ref_client   text NOT NULL,
	external_ref text NOT NULL,
	CONSTRAINT entry_refs_unique UNIQUE (ref_client, external_ref)
);
