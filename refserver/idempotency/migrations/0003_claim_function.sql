-- The claim batch as a function. As a prepared statement its plan was
-- remade on every call (PostgreSQL's plan cache finds a plan for the
-- call's actual arrays cheaper than the generic one, so it plans each
-- time), and planning the statement cost more than running it: a quarter
-- of a millisecond on every request's critical path. A function pins the
-- generic plan (plan_cache_mode applies inside it only), made once per
-- connection; every lookup is by primary key, so one plan fits all.
--
-- It writes the recorded responses (rec_*), then claims the keys (claim_*)
-- for owner_id: a new key, or one whose claim's owner has died (its
-- advisory lock is free; pg_try_advisory_xact_lock takes it for this
-- transaction only), or whose lease has run out. It returns the keys
-- claimed. The transaction commits without waiting for the WAL flush
-- (synchronous_commit off, set for this transaction only: not the
-- function's own SET clause, which would end with the function, before
-- the commit).
CREATE FUNCTION refserver.idempotency_claim(claim_keys text[], claim_fps bytea[], claim_created timestamptz[],
	claim_leases timestamptz[], owner_id integer, rec_keys text[], rec_statuses integer[], rec_headers text[],
	rec_bodies bytea[])
RETURNS SETOF text
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
	PERFORM set_config('synchronous_commit', 'off', true);
	IF cardinality(rec_keys) > 0 THEN
		UPDATE refserver.idempotency_keys k SET status = r.status, header = r.header::jsonb, body = r.body
		FROM unnest(rec_keys, rec_statuses, rec_headers, rec_bodies) AS r(key, status, header, body)
		WHERE k.key = r.key AND k.status IS NULL;
	END IF;
	IF cardinality(claim_keys) > 0 THEN
		RETURN QUERY
		WITH ins AS (
			INSERT INTO refserver.idempotency_keys AS k (key, fingerprint, created_at, lease_until, owner)
			SELECT c.key, c.fp, c.created_at, c.lease_until, owner_id
			FROM unnest(claim_keys, claim_fps, claim_created, claim_leases) AS c(key, fp, created_at, lease_until)
			ON CONFLICT (key) DO UPDATE SET lease_until = EXCLUDED.lease_until, owner = EXCLUDED.owner
			WHERE k.fingerprint = EXCLUDED.fingerprint AND k.status IS NULL
			  AND (k.lease_until <= EXCLUDED.created_at
			       OR (k.owner <> EXCLUDED.owner AND pg_try_advisory_xact_lock(1768187245, k.owner)))
			RETURNING k.key
		)
		SELECT ins.key FROM ins;
	END IF;
END
$$;
