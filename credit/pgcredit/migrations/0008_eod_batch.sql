-- The batched credit end of day. as_of is the date the end of day last
-- brought the loan to, kept from the record so a run reads only the loans
-- it has not reached (a re-run or a resumed run skips the rest in SQL).
-- eod_postings holds the ledger entries a page of the end of day owes:
-- written in the page's transaction, posted after it under their keys,
-- marked posted after; a run finishes those a crash left unposted first.
CREATE FUNCTION credit.iso_date(s text) RETURNS date LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT make_date(substr(s, 1, 4)::integer, substr(s, 6, 2)::integer, substr(s, 9, 2)::integer) $$;

ALTER TABLE credit.loans ADD COLUMN as_of date GENERATED ALWAYS AS (credit.iso_date(body->'standing'->>'as_of')) STORED;

CREATE TABLE credit.eod_postings (
	key        text PRIMARY KEY,
	on_date    date NOT NULL,
	entry      jsonb NOT NULL,
	posted     boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eod_postings_unposted ON credit.eod_postings (key) WHERE NOT posted;
