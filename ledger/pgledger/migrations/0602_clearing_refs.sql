-- External references on payments to other banks
-- (clearing.TransferOutRequest.ExternalRef). The customer's debit entry
-- carries the reference in ledger.entry_refs, which decides uniqueness per
-- client in the posting transaction; the transfer keeps a copy so that it
-- is found by it (ClearingTransferByRef), the unique index being a
-- backstop. '' is no reference, as for the transfers written before.
ALTER TABLE ledger.clearing_transfers
	ADD COLUMN ref_client   text NOT NULL DEFAULT '',
	ADD COLUMN external_ref text NOT NULL DEFAULT '';

CREATE UNIQUE INDEX clearing_transfers_ref ON ledger.clearing_transfers (ref_client, external_ref)
	WHERE external_ref <> '';
