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
--   recognised what is recognised of the cursor's instalment;
-- and, on a loan's first end of day, the bucket and classification
-- columns (0004) take the first bucket and 'normal' without the record.
-- A read lays them over the record (the later as_of and updated_at, the
-- version, the cursor instalment's recognised interest, the bucket and
-- classification when the record has no bucket yet). Rows written
-- before this migration have no cursor: their next end of day takes the
-- batched path, which reads the record and writes the cursor.
ALTER TABLE credit.loans ALTER COLUMN as_of DROP EXPRESSION;
ALTER TABLE credit.loans ADD COLUMN accrual jsonb, ADD COLUMN recognised numeric;

-- The quiet end of day updates the row every day, not the record: with
-- the record moved out of the row into the TOAST table (toast_tuple_target:
-- compressed, then moved out while the row is over 256 bytes) an update
-- copies a pointer rather than 2 KB or more, the row is about 300 bytes,
-- and with room left on each page (fillfactor) the update stays on its
-- page without new index entries (HOT: none of its columns is indexed).
-- Applies to rows written from now on.
ALTER TABLE credit.loans SET (toast_tuple_target = 256, fillfactor = 85);
