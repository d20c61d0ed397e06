-- A loan's collections history beside it: every action taken, and the
-- promises to pay the loan's record no longer holds (it keeps the last
-- action and the latest promise, with how many of each there are), so a
-- loan's body stays small however long collections last.
CREATE TABLE credit.collection_actions (
	loan_id uuid NOT NULL REFERENCES credit.loans (id),
	number  integer NOT NULL,
	body    jsonb NOT NULL,
	PRIMARY KEY (loan_id, number)
);

CREATE TABLE credit.promises (
	loan_id uuid NOT NULL REFERENCES credit.loans (id),
	number  integer NOT NULL,
	body    jsonb NOT NULL,
	PRIMARY KEY (loan_id, number)
);

-- Loans written before: their arrays move to the tables (every action;
-- every promise but the latest), and the record takes its new form.
INSERT INTO credit.collection_actions (loan_id, number, body)
SELECT l.id, (a.value->>'number')::integer, a.value
FROM credit.loans l, jsonb_array_elements(l.body->'collections'->'actions') a
WHERE jsonb_typeof(l.body->'collections'->'actions') = 'array';

INSERT INTO credit.promises (loan_id, number, body)
SELECT l.id, (p.value->>'number')::integer, p.value
FROM credit.loans l, jsonb_array_elements(l.body->'collections'->'promises') p
WHERE jsonb_typeof(l.body->'collections'->'promises') = 'array'
	AND (p.value->>'number')::integer < jsonb_array_length(l.body->'collections'->'promises');

UPDATE credit.loans SET body = jsonb_set(body, '{collections}',
	((body->'collections') - 'actions' - 'promises') || jsonb_strip_nulls(jsonb_build_object(
		'last_action', body->'collections'->'actions'->-1,
		'action_count', CASE WHEN jsonb_typeof(body->'collections'->'actions') = 'array'
			THEN jsonb_array_length(body->'collections'->'actions') END,
		'promise', body->'collections'->'promises'->-1,
		'promise_count', CASE WHEN jsonb_typeof(body->'collections'->'promises') = 'array'
			THEN jsonb_array_length(body->'collections'->'promises') END)))
WHERE jsonb_typeof(body->'collections') = 'object'
	AND (body->'collections' ? 'actions' OR body->'collections' ? 'promises');
