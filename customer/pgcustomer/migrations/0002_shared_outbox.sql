-- The customer events move to the shared outbox tables (event_outbox,
-- event_sequencer, event_cursors), which the shared migration set has
-- created. Every event keeps its sequence, so subscribers' cursors keep
-- their meaning; each gets an id (a UUIDv7 from its time) and a version 1
-- payload. The KYC reason is left out: free text may hold personal data.
INSERT INTO customer.event_outbox (sequence, event_id, type, version, occurred_at, subjects, payload)
SELECT o.seq,
	(lpad(to_hex(floor(extract(epoch FROM o.at) * 1000)::bigint), 12, '0') || '7' || substr(o.r, 14, 3) || substr(o.r, 17))::uuid,
	o.kind, 1, o.at, ARRAY[o.customer_id],
	CASE o.kind
	WHEN 'customer.kyc_changed' THEN json_build_object('customer_id', o.customer_id,
		'from', o.payload->'kyc'->>'From', 'to', o.payload->'kyc'->>'To', 'by', o.payload->'kyc'->>'By')
	WHEN 'customer.consent_changed' THEN json_strip_nulls(json_build_object('customer_id', o.customer_id,
		'purpose', o.payload->'consent'->>'purpose', 'channel', o.payload->'consent'->>'channel',
		'granted', (o.payload->'consent'->>'granted')::boolean, 'valid_until', o.payload->'consent'->>'valid_until'))
	ELSE json_build_object('customer_id', o.customer_id)
	END
FROM (SELECT *, replace(gen_random_uuid()::text, '-', '') AS r FROM customer.outbox) o
ORDER BY o.seq;

UPDATE customer.event_sequencer SET last = (SELECT COALESCE(max(seq), 0) FROM customer.outbox);

INSERT INTO customer.event_cursors (name, sequence)
SELECT subscriber, seq FROM customer.cursors;

DROP TABLE customer.outbox;
DROP TABLE customer.cursors;
DELETE FROM customer.heads WHERE name = 'outbox';
