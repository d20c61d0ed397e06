-- Classes of individuals' demand accounts (ledger/class.go). The class,
-- its limits (copied from the Service's rules at opening) and the bound
-- accounts are fixed when the account opens.
ALTER TABLE ledger.accounts
	ADD COLUMN class          text CHECK (class IN ('I', 'II', 'III')),
	ADD COLUMN daily_outflow  numeric NOT NULL DEFAULT 0 CHECK (daily_outflow >= 0),
	ADD COLUMN annual_outflow numeric NOT NULL DEFAULT 0 CHECK (annual_outflow >= 0),
	ADD COLUMN max_balance    numeric NOT NULL DEFAULT 0 CHECK (max_balance >= 0),
	ADD COLUMN bound          uuid[] NOT NULL DEFAULT '{}';

-- One open class I account per owner and currency: the atomic form of the
-- rule, which two concurrent openings cannot both pass.
CREATE UNIQUE INDEX accounts_class_one ON ledger.accounts (owner_id, currency)
	WHERE class = 'I' AND status <> 'closed';

-- What the outflow limits of a class II or III account have counted, per
-- day ('2026-12-03') and per year ('2026') of the entries' value dates.
-- Written in the posting transaction, under the lock of the account's
-- balance row.
CREATE TABLE ledger.class_usage (
	account_id uuid NOT NULL REFERENCES ledger.accounts (id),
	period     text NOT NULL,
	used       numeric NOT NULL CHECK (used >= 0),
	PRIMARY KEY (account_id, period)
);
