-- Month-end snapshots of the holdings, taken by the wealth end of day of
-- the month's last business day: a copy of each holding row (the columns
-- that win over the body, and the body) per month. A month is final once
-- snapshot_months has its row; statements of that month read the copies.
CREATE TABLE wealth.snapshots (
	month          text NOT NULL, -- YYYY-MM
	holding_id     uuid NOT NULL,
	customer_id    uuid NOT NULL,
	product_id     uuid NOT NULL,
	units          numeric NOT NULL,
	cost           numeric NOT NULL,
	income         numeric NOT NULL,
	accrued        numeric NOT NULL,
	income_through date,
	version        bigint NOT NULL,
	body           jsonb NOT NULL,
	PRIMARY KEY (month, holding_id)
);
CREATE INDEX snapshots_customer ON wealth.snapshots (customer_id, month);

CREATE TABLE wealth.snapshot_months (
	month    text PRIMARY KEY,
	taken_on date NOT NULL
);
