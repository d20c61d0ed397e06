package pgoutbox

import "strings"

// statements are the outbox's SQL for one schema.
type statements struct {
	append, appendMany, pending, lockSequencer, assign, read string
	register, cursor, advance, remove, prune                 string
}

// statementsFor writes the statements for schema, quoted.
func statementsFor(schema string) statements {
	r := strings.NewReplacer("{outbox}", schema+"."+Table, "{sequencer}", schema+".event_sequencer",
		"{cursors}", schema+".event_cursors")
	return statements{
		append: r.Replace(`INSERT INTO {outbox} (event_id, type, version, occurred_at, business_date, subjects, payload)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`),
		appendMany: r.Replace(`INSERT INTO {outbox} (event_id, type, version, occurred_at, business_date, subjects, payload)
			SELECT v.id::uuid, NULLIF(v.type, ''), NULLIF(v.version, '')::integer, NULLIF(v.occurred, '')::timestamptz,
				NULLIF(v.date, '')::date, NULLIF(v.subjects, '')::uuid[], NULLIF(v.payload, '')::json
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				WITH ORDINALITY AS v(id, type, version, occurred, date, subjects, payload, n)
			ORDER BY v.n`),
		pending:       r.Replace(`SELECT EXISTS (SELECT 1 FROM {outbox} WHERE sequence IS NULL)`),
		lockSequencer: r.Replace(`SELECT last FROM {sequencer} FOR UPDATE`),
		assign: r.Replace(`WITH numbered AS (
				SELECT id, $1 + row_number() OVER (ORDER BY id) AS sequence
				FROM {outbox} WHERE sequence IS NULL
			), assigned AS (
				UPDATE {outbox} o SET sequence = n.sequence, occurred_at = COALESCE(o.occurred_at, now())
				FROM numbered n WHERE o.id = n.id
				RETURNING n.sequence
			)
			UPDATE {sequencer} SET last = COALESCE((SELECT max(sequence) FROM assigned), last)`),
		read: r.Replace(`SELECT sequence, event_id, type, version, occurred_at, business_date, subjects, payload
			FROM {outbox} WHERE sequence > $1 ORDER BY sequence LIMIT $2`),
		register: r.Replace(`INSERT INTO {cursors} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`),
		cursor:   r.Replace(`SELECT sequence FROM {cursors} WHERE name = $1`),
		advance:  r.Replace(`UPDATE {cursors} SET sequence = GREATEST(sequence, $2) WHERE name = $1`),
		remove:   r.Replace(`DELETE FROM {cursors} WHERE name = $1`),
		// The oldest rows up to limit, stopping at the first row that is
		// too young or that a cursor has not passed.
		prune: r.Replace(`WITH head AS (
				SELECT id, sequence, occurred_at FROM {outbox}
				WHERE sequence IS NOT NULL ORDER BY sequence LIMIT $2
			), young AS (
				SELECT min(sequence) AS sequence FROM head WHERE occurred_at >= $1
			)
			DELETE FROM {outbox} o USING head h
			WHERE o.id = h.id
				AND h.sequence < COALESCE((SELECT sequence FROM young), 9223372036854775807)
				AND h.sequence <= COALESCE((SELECT min(sequence) FROM {cursors}), 9223372036854775807)`),
	}
}
