-- Inter-bank channels (clearing.Channels): the channel a transfer was
-- routed to, why, when it will be sent and the fee charged with it; the
-- channel a batch went to. Transfers of a bank without channels keep ''
-- and go to the single network as before.
ALTER TABLE ledger.clearing_transfers
	ADD COLUMN channel    text NOT NULL DEFAULT '',
	ADD COLUMN route      text NOT NULL DEFAULT '',
	ADD COLUMN urgent     boolean NOT NULL DEFAULT false,
	ADD COLUMN send_after timestamptz,
	ADD COLUMN fee        numeric NOT NULL DEFAULT 0 CHECK (fee >= 0),
	ADD COLUMN rejected   boolean NOT NULL DEFAULT false;

ALTER TABLE ledger.clearing_batches ADD COLUMN channel text NOT NULL DEFAULT '';

-- A cut reads the due transfers of one channel and currency in ID order.
CREATE INDEX clearing_transfers_pending_channel ON ledger.clearing_transfers (channel, currency, id)
	WHERE status = 'pending_clearing';
DROP INDEX ledger.clearing_transfers_pending;
