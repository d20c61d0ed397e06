-- Class II and III accounts bound to their owner's accounts at other banks
-- (ledger.Service.BindExternal): a JSON array of {bank_code,
-- account_number, holder_name}, read with the class fields and again under
-- the balance rows' lock by a batch that counts outflows, like bound. A
-- binding change records both lists as they were and became, and whether
-- it changed the external ones.
ALTER TABLE ledger.accounts ADD COLUMN bound_external jsonb NOT NULL DEFAULT '[]';

ALTER TABLE ledger.account_bindings
	ADD COLUMN external      boolean NOT NULL DEFAULT false,
	ADD COLUMN from_external jsonb NOT NULL DEFAULT '[]',
	ADD COLUMN to_external   jsonb NOT NULL DEFAULT '[]';
