-- The running FX totals per foreign currency (fx.Totals): the open
-- position, its carrying value in the home currency and the realised
-- spread income. A conversion moves its currencies' rows in the same
-- transaction that marks it posted, a revaluation its currency's carrying
-- value in the transaction that records it; readers never sum the
-- conversions. fx.Service.ReconcileTotals recomputes them from the
-- conversions and compares.
CREATE TABLE ledger.fx_totals (
	currency text PRIMARY KEY,
	position numeric NOT NULL DEFAULT 0,
	carrying numeric NOT NULL DEFAULT 0,
	income   numeric NOT NULL DEFAULT 0
);

-- The figures of the conversions and revaluations recorded before this
-- table (no cross conversion can be among them).
INSERT INTO ledger.fx_totals (currency, position, carrying, income)
SELECT coalesce(c.currency, r.currency), coalesce(c.position, 0), coalesce(c.carrying, 0) + coalesce(r.gain, 0), coalesce(c.income, 0)
FROM (
	SELECT foreign_currency AS currency,
		sum(CASE side WHEN 'sell' THEN foreign_amount ELSE -foreign_amount END) AS position,
		sum(CASE side WHEN 'sell' THEN home_at_mid ELSE -home_at_mid END) AS carrying,
		sum(income) AS income
	FROM ledger.fx_conversions WHERE status = 'posted' GROUP BY foreign_currency
) c FULL JOIN (
	SELECT currency, sum(gain) AS gain FROM ledger.fx_revaluations GROUP BY currency
) r ON r.currency = c.currency;
