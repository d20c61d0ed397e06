-- Cross conversions (ledger/fx): a conversion between two foreign
-- currencies through the home currency has a second leg, the purchase of
-- the received currency; its currency, amount and value at mid are kept
-- beside the first leg's columns so that the totals can be recomputed
-- from the conversions (the rest of the leg is in record). NULL on a
-- conversion against the home currency.
ALTER TABLE ledger.fx_conversions
	ADD COLUMN cross_currency    text,
	ADD COLUMN cross_amount      numeric CHECK (cross_amount > 0),
	ADD COLUMN cross_home_at_mid numeric,
	ADD CONSTRAINT fx_conversions_cross_leg CHECK ((cross_currency IS NULL) = (cross_amount IS NULL)
		AND (cross_currency IS NULL) = (cross_home_at_mid IS NULL));
