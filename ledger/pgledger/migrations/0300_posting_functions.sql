-- The posting path's statements, as functions. As prepared statements
-- their plans were remade on almost every call: PostgreSQL's plan cache
-- compares the generic plan (which must guess how long the parameter
-- arrays are) with plans made for each call's actual arrays, finds the
-- latter cheaper, and so plans every time, which cost more than running
-- the statement. A function can pin the generic plan
-- (plan_cache_mode = force_generic_plan applies inside it only); the plan
-- is made once per connection. The statements are written for any array
-- length, and every lookup is by primary key, so one plan fits all.

-- balance_rows reads the balance rows (account, shard) with their accounts,
-- in account order: lock_mode 0 only reads, 1 locks (FOR UPDATE), 2 locks
-- what it can and leaves out rows other transactions hold (SKIP LOCKED).
-- Each row is one exact primary-key probe: the hot accounts' rows carry
-- many dead versions, and a scan over all of an account's shards would
-- wade through them. The query is written out three times because a
-- locking clause cannot be a parameter, and EXECUTE of a built string
-- would plan on every call, which is what these functions are here to avoid.
CREATE FUNCTION ledger.balance_rows(ids uuid[], shards int[], lock_mode int)
RETURNS TABLE (id uuid, number text, code text, owner_id text, product text, currency text,
	normal_side text, status text, policy_kind text, policy_limit numeric, opened_on text,
	created_at timestamptz, balance numeric, held numeric, shard int)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
	IF lock_mode = 0 THEN
		RETURN QUERY SELECT a.id, a.number, COALESCE(a.code, ''), COALESCE(a.owner_id, ''), a.product,
			a.currency, a.normal_side, b.status, a.policy_kind, a.policy_limit,
			to_char(a.opened_on, 'YYYY-MM-DD'), a.created_at, b.balance, b.held, b.shard::int
		FROM unnest(ids, shards) AS v(id, shard)
		JOIN ledger.balances b ON b.account_id = v.id AND b.shard = v.shard
		JOIN ledger.accounts a ON a.id = b.account_id
		ORDER BY b.account_id;
	ELSIF lock_mode = 1 THEN
		RETURN QUERY SELECT a.id, a.number, COALESCE(a.code, ''), COALESCE(a.owner_id, ''), a.product,
			a.currency, a.normal_side, b.status, a.policy_kind, a.policy_limit,
			to_char(a.opened_on, 'YYYY-MM-DD'), a.created_at, b.balance, b.held, b.shard::int
		FROM unnest(ids, shards) AS v(id, shard)
		JOIN ledger.balances b ON b.account_id = v.id AND b.shard = v.shard
		JOIN ledger.accounts a ON a.id = b.account_id
		ORDER BY b.account_id
		FOR UPDATE OF b;
	ELSE
		RETURN QUERY SELECT a.id, a.number, COALESCE(a.code, ''), COALESCE(a.owner_id, ''), a.product,
			a.currency, a.normal_side, b.status, a.policy_kind, a.policy_limit,
			to_char(a.opened_on, 'YYYY-MM-DD'), a.created_at, b.balance, b.held, b.shard::int
		FROM unnest(ids, shards) AS v(id, shard)
		JOIN ledger.balances b ON b.account_id = v.id AND b.shard = v.shard
		JOIN ledger.accounts a ON a.id = b.account_id
		ORDER BY b.account_id
		FOR UPDATE OF b SKIP LOCKED;
	END IF;
END
$$;

-- entry_keys returns the entries that used any of the idempotency keys.
CREATE FUNCTION ledger.entry_keys(keys text[])
RETURNS TABLE (idempotency_key text, id uuid, fingerprint bytea)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY SELECT e.idempotency_key, e.id, e.fingerprint FROM ledger.entries e
		WHERE e.idempotency_key = ANY(keys);
END
$$;

-- write_entries writes decided entries in one statement: the entries with
-- their per-currency totals (computed here from the postings themselves,
-- for the entries_balanced CHECK), the postings, the balance rows, the
-- holds they capture and the outbox rows. It returns whether it wrote.
--
-- Arguments: entries $1-$9 and $17 (id, kind, key, fingerprint, value date,
-- booked at, description, metadata, reverses, hold); postings $10-$16
-- (entry, index, account, side, amount, currency, value date); balance
-- changes $18-$22 (account, shard, change of balance, change of held,
-- excuse); captured holds $23-$27 (id, status, closed at, entry, captured);
-- expected rows $28-$33 (account, shard, balance, held, status, checked).
--
-- With expected rows given, it first locks them in account order and
-- writes only if they still hold what the caller decided on: every row's
-- status, and a checked account's balance and held amount (the one-round-
-- trip path that decides on rows read without a lock). With none, the
-- caller holds the locks already.
CREATE FUNCTION ledger.write_entries(
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
		INSERT INTO ledger.outbox (entry_id)
		SELECT id FROM unnest($1) WITH ORDINALITY AS o(id, n) WHERE (SELECT ok FROM go_ahead) ORDER BY n
		RETURNING 1
	)
	SELECT ok INTO wrote FROM go_ahead;
	RETURN wrote;
END
$$;
