-- The quiet end of day (credit/eod_quiet.go). On most days most loans
-- only accrue interest; for them the end of day changes the date the loan
-- is as of, its version and update time, and what is recognised of the
-- instalment accruing, and nothing else. Those are kept in columns beside
-- the record, so a page of such loans is brought to the date by one
-- UPDATE of a few columns, the record neither read nor written:
--   as_of      no longer generated from the record: written with it, and
--              alone by the quiet end of day (its values are kept);
--   accrual    the loan's credit.AccrualCursor (the instalment accruing,
--              its period, interest and day count, the next due date),
--              NULL when the loan cannot take the quiet path;
--   recognised what is recognised of the cursor's instalment.
-- A read lays them over the record (the later as_of and updated_at, the
-- version, the cursor instalment's recognised interest). Rows written
-- before this migration have no cursor: their next end of day takes the
-- batched path, which reads the record and writes the cursor.
ALTER TABLE credit.loans ALTER COLUMN as_of DROP EXPRESSION;
ALTER TABLE credit.loans ADD COLUMN accrual jsonb, ADD COLUMN recognised numeric;
