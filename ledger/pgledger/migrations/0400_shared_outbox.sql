-- The ledger's events move to the shared outbox tables (event_outbox,
-- event_sequencer, event_cursors), which the shared migration set has
-- created in this schema. Nothing is renumbered: every event keeps its
-- sequence, so subscribers' cursors keep their meaning; rows not yet
-- numbered follow in insertion (id) order, to be numbered as before, after
-- the last number handed out. A row stays minimal, (event_id), the entry's
-- ID, and is rendered from the entry when read; occurred_at is the entry's
-- booking time, which pruning ages it by.
--
-- The tables are locked first, so that a posting by a process still on
-- the old tables either commits before the copy or waits and then finds
-- the new function.
LOCK TABLE ledger.outbox, ledger.outbox_sequencer, ledger.subscriber_cursors IN ACCESS EXCLUSIVE MODE;

INSERT INTO ledger.event_outbox (id, sequence, event_id, occurred_at)
SELECT o.id, o.sequence, o.entry_id, e.booked_at
FROM ledger.outbox o LEFT JOIN ledger.entries e ON e.id = o.entry_id
ORDER BY o.id;
SELECT setval(pg_get_serial_sequence('ledger.event_outbox', 'id'), max(id)) FROM ledger.event_outbox HAVING max(id) IS NOT NULL;

UPDATE ledger.event_sequencer SET last = (SELECT last FROM ledger.outbox_sequencer);

INSERT INTO ledger.event_cursors (name, sequence)
SELECT subscriber, sequence FROM ledger.subscriber_cursors;

-- write_entries as in 0300, but for its outbox row: (event_id) in
-- event_outbox where it wrote (entry_id) in outbox.
CREATE OR REPLACE FUNCTION ledger.write_entries(
	uuid[], text[], text[], bytea[], date[], timestamptz[], text[], text[], text[],
	uuid[], int[], uuid[], text[], numeric[], text[], date[], text[],
	uuid[], int[], numeric[], numeric[], bool[],
	uuid[], text[], timestamptz[], uuid[], numeric[],
	uuid[], int[], numeric[], numeric[], text[], bool[])
RETURNS boolean
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
	wrote boolean;
BEGIN
	WITH expected AS (
		SELECT * FROM unnest($28, $29, $30, $31, $32, $33)
			AS e(account_id, shard, balance, held, status, checked)
	), locked AS (
		SELECT b.account_id, b.shard, b.balance, b.held, b.status
		FROM ledger.balances b JOIN expected e ON b.account_id = e.account_id AND b.shard = e.shard
		ORDER BY b.account_id
		FOR UPDATE OF b
	), go_ahead AS (
		SELECT count(*) = cardinality($28)
			AND COALESCE(bool_and(l.status = e.status AND (NOT e.checked OR (l.balance = e.balance AND l.held = e.held))), true) AS ok
		FROM locked l JOIN expected e ON l.account_id = e.account_id AND l.shard = e.shard
	), p AS (
		SELECT * FROM unnest($10, $11, $12, $13, $14, $15, $16)
			AS p(entry_id, idx, account_id, side, amount, currency, value_date)
		WHERE (SELECT ok FROM go_ahead)
	), totals AS (
		SELECT entry_id, array_agg(currency ORDER BY currency) AS currencies,
			array_agg(debits ORDER BY currency) AS debits, array_agg(credits ORDER BY currency) AS credits
		FROM (SELECT entry_id, currency,
				sum(CASE WHEN side = 'debit' THEN amount ELSE 0 END) AS debits,
				sum(CASE WHEN side = 'credit' THEN amount ELSE 0 END) AS credits
			FROM p GROUP BY entry_id, currency) per_currency
		GROUP BY entry_id
	), new_entries AS (
		INSERT INTO ledger.entries (id, kind, idempotency_key, fingerprint, value_date, booked_at,
			description, metadata, reverses, hold_id, currencies, debits, credits)
		SELECT v.id, v.kind, NULLIF(v.key, ''), NULLIF(v.fp, ''::bytea), v.value_date, v.booked_at,
			v.description, NULLIF(v.metadata, '')::jsonb, NULLIF(v.reverses, '')::uuid, NULLIF(v.hold_id, '')::uuid,
			t.currencies, t.debits, t.credits
		FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $17)
			AS v(id, kind, key, fp, value_date, booked_at, description, metadata, reverses, hold_id)
		JOIN totals t ON t.entry_id = v.id
		RETURNING 1
	), new_postings AS (
		INSERT INTO ledger.postings (entry_id, idx, account_id, side, amount, currency, value_date)
		SELECT entry_id, idx, account_id, side, amount, currency, value_date FROM p
		RETURNING 1
	), moved AS (
		UPDATE ledger.balances b
		SET balance = b.balance + v.d_balance,
			held = b.held + v.d_held,
			excused = CASE WHEN v.excuse
				THEN GREATEST(0, b.floor - (b.balance + v.d_balance - b.held - v.d_held))
				ELSE LEAST(b.excused, GREATEST(0, b.floor - (b.balance + v.d_balance - b.held - v.d_held))) END
		FROM unnest($18, $19, $20, $21, $22) AS v(account_id, shard, d_balance, d_held, excuse)
		WHERE b.account_id = v.account_id AND b.shard = v.shard AND (SELECT ok FROM go_ahead)
		RETURNING 1
	), captured AS (
		UPDATE ledger.holds h
		SET status = v.status, closed_at = v.closed_at, capture_entry_id = v.entry_id, captured = v.captured
		FROM unnest($23, $24, $25, $26, $27) AS v(id, status, closed_at, entry_id, captured)
		WHERE h.id = v.id AND (SELECT ok FROM go_ahead)
		RETURNING 1
	), new_outbox AS (
		INSERT INTO ledger.event_outbox (event_id)
		SELECT id FROM unnest($1) WITH ORDINALITY AS o(id, n) WHERE (SELECT ok FROM go_ahead) ORDER BY n
		RETURNING 1
	)
	SELECT ok INTO wrote FROM go_ahead;
	RETURN wrote;
END
$$;

DROP TABLE ledger.outbox;
DROP TABLE ledger.outbox_sequencer;
DROP TABLE ledger.subscriber_cursors;
