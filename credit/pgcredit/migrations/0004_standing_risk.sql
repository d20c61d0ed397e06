-- The credit end of day's standing, the loan's grade and PD and its
-- dates as columns, for the collections queue and the risk measures
-- (aggregated in SQL, not read into memory); the history of bucket and
-- classification changes as rows, for the migration matrix.
ALTER TABLE credit.loans
	ADD COLUMN bucket         text NOT NULL DEFAULT '',
	ADD COLUMN days_past_due  integer NOT NULL DEFAULT 0,
	ADD COLUMN classification text NOT NULL DEFAULT 'normal',
	ADD COLUMN grade          text NOT NULL DEFAULT '',
	ADD COLUMN pd             numeric NOT NULL DEFAULT 0,
	ADD COLUMN booked_on      date,
	ADD COLUMN closed_on      date,
	ADD COLUMN written_off_on date;

UPDATE credit.loans SET
	bucket = COALESCE(body->'standing'->>'bucket', ''),
	days_past_due = COALESCE((body->'standing'->>'days_past_due')::integer, 0),
	classification = COALESCE(NULLIF(body->'standing'->>'classification', ''), 'normal'),
	grade = COALESCE(body->>'grade', ''),
	booked_on = (body->'tranches'->0->>'on')::date,
	closed_on = (body->>'closed_on')::date;

CREATE TABLE credit.standing_history (
	loan_id    uuid NOT NULL REFERENCES credit.loans (id),
	seq        integer NOT NULL,
	on_date    date NOT NULL,
	what       text NOT NULL,
	from_value text NOT NULL,
	to_value   text NOT NULL,
	PRIMARY KEY (loan_id, seq)
);

INSERT INTO credit.standing_history (loan_id, seq, on_date, what, from_value, to_value)
	SELECT l.id, h.ord - 1, (h.e->>'on')::date, h.e->>'what', h.e->>'from', h.e->>'to'
	FROM credit.loans l, jsonb_array_elements(l.body->'standing'->'history') WITH ORDINALITY AS h(e, ord);

CREATE INDEX loans_overdue ON credit.loans (bucket, id) WHERE status = 'active' AND days_past_due > 0;
CREATE INDEX standing_history_classification ON credit.standing_history (loan_id, seq) WHERE what = 'classification';
