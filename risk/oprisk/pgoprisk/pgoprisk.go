// Package pgoprisk is the PostgreSQL oprisk.Store. Its tables live in the
// schema "oprisk", created and upgraded by Migrate from embedded SQL.
//
// Appends to the audit trail lock the single row of oprisk.audit_head,
// which holds the last sequence number and hash: appends from every
// process queue on it, so the trail is one chain without gaps, and a
// record deleted or rewritten by SQL no longer matches the head or its
// neighbours. Held requests change under SELECT ... FOR UPDATE.
package pgoprisk

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk/oprisk"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the PostgreSQL schema of the store's tables.
const Schema = "oprisk"

// Migrate creates or upgrades the oprisk schema; idempotent, safe from
// several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations")
}

// Store is an oprisk.Store over a database Migrate has prepared.
type Store struct {
	db    *sqlx.DB
	stmts *pgstmt.Cache
	// asyncCommit appends without waiting for the commit to reach disk.
	asyncCommit bool

	amu      sync.Mutex       // guards queue and flushing
	queue    []*pendingAppend // appends waiting for the next transaction
	flushing bool             // an appender is writing; the rest queue
	// head is where this process last left the chain (seq and hash), or
	// nil; only the one flushing appender reads and writes it.
	head *oprisk.Record
}

var _ oprisk.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// AsyncCommit makes audit appends commit with synchronous_commit off: the
// append returns once PostgreSQL has the record in its write-ahead log
// buffer, not on disk, which saves the wait for a disk flush (most of an
// append's cost). A crash of the database may then lose the last records
// appended (up to about three times wal_writer_delay, 600 ms by default),
// never a record in the middle: the log is replayed in order, so the chain
// left verifies. Off by default.
func AsyncCommit() Option { return func(s *Store) { s.asyncCommit = true } }

// New returns a Store over db.
func New(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, stmts: pgstmt.New(db)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// EnsurePermissions implements oprisk.Store.
func (s *Store) EnsurePermissions(ctx context.Context, defaults []oprisk.Default) error {
	return pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		for _, d := range defaults {
			res, err := tx.ExecContext(ctx, `INSERT INTO oprisk.permissions (name, summary) VALUES ($1, $2)
				ON CONFLICT (name) DO NOTHING`, d.Name, d.Summary)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 { // known: its grants stay as they are
				if _, err := tx.ExecContext(ctx, `UPDATE oprisk.permissions SET summary = $2 WHERE name = $1 AND summary <> $2`, d.Name, d.Summary); err != nil {
					return err
				}
				continue
			}
			for _, r := range d.Roles {
				if _, err := tx.ExecContext(ctx, `INSERT INTO oprisk.grants (role, permission) VALUES ($1, $2)
					ON CONFLICT DO NOTHING`, r, d.Name); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func catalogue(ctx context.Context, q sqlx.QueryerContext) (oprisk.Catalogue, error) {
	c := oprisk.Catalogue{Grants: map[string][]string{}}
	if err := sqlx.SelectContext(ctx, q, &c.Permissions, `SELECT name AS "name", summary AS "summary" FROM oprisk.permissions ORDER BY name`); err != nil {
		return c, err
	}
	var rows []struct {
		Role       string `db:"role"`
		Permission string `db:"permission"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT role, permission FROM oprisk.grants ORDER BY role, permission`); err != nil {
		return c, err
	}
	for _, r := range rows {
		c.Grants[r.Role] = append(c.Grants[r.Role], r.Permission)
	}
	return c, nil
}

// Catalogue implements oprisk.Store.
func (s *Store) Catalogue(ctx context.Context) (oprisk.Catalogue, error) {
	return catalogue(ctx, s.db)
}

// SetGrants implements oprisk.Store.
func (s *Store) SetGrants(ctx context.Context, role string, permissions []string, check func(oprisk.Catalogue) error) (oprisk.Catalogue, error) {
	var out oprisk.Catalogue
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		// One grant change at a time: the check sees the catalogue as it
		// will be committed.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE oprisk.grants IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var known int
		if err := tx.GetContext(ctx, &known, `SELECT count(*) FROM oprisk.permissions WHERE name = ANY($1)`, pq.StringArray(permissions)); err != nil {
			return err
		}
		if known != len(permissions) {
			return fmt.Errorf("%w: a permission named is not in the catalogue", oprisk.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oprisk.grants WHERE role = $1`, role); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oprisk.grants (role, permission) SELECT $1, unnest($2::TEXT[])`,
			role, pq.StringArray(permissions)); err != nil {
			return err
		}
		c, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		if err := check(c); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// requestDoc is a held request as its JSON document.
type requestDoc struct {
	oprisk.Request
}

func (s *Store) putRequest(ctx context.Context, q sqlx.ExecerContext, r oprisk.Request, insert bool) error {
	doc, err := json.Marshal(requestDoc{r})
	if err != nil {
		return err
	}
	var checkerID sql.NullString
	var checkedAt sql.NullTime
	if r.Checker != nil {
		checkerID = sql.NullString{String: r.Checker.ID, Valid: true}
		checkedAt = sql.NullTime{Time: r.CheckedAt, Valid: true}
	}
	if insert {
		_, err = q.ExecContext(ctx, `INSERT INTO oprisk.requests (id, status, maker_id, maker_roles, checker_id, checked_at, doc)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.Status, r.Maker.ID, pq.StringArray(nonNil(r.Maker.Roles)), checkerID, checkedAt, doc)
	} else {
		_, err = q.ExecContext(ctx, `UPDATE oprisk.requests SET status = $2, checker_id = $3, checked_at = $4, doc = $5 WHERE id = $1`,
			r.ID, r.Status, checkerID, checkedAt, doc)
	}
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func decodeRequest(doc []byte) (oprisk.Request, error) {
	var d requestDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return oprisk.Request{}, fmt.Errorf("pgoprisk: decode request: %w", err)
	}
	return d.Request, nil
}

// CreateRequest implements oprisk.Store.
func (s *Store) CreateRequest(ctx context.Context, r oprisk.Request) error {
	return s.putRequest(ctx, s.db, r, true)
}

// Request implements oprisk.Store.
func (s *Store) Request(ctx context.Context, id uuid.UUID) (oprisk.Request, error) {
	var doc []byte
	err := s.db.GetContext(ctx, &doc, `SELECT doc FROM oprisk.requests WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return oprisk.Request{}, fmt.Errorf("%w: no held request %s", oprisk.ErrNotFound, id)
	}
	if err != nil {
		return oprisk.Request{}, err
	}
	return decodeRequest(doc)
}

// UpdateRequest implements oprisk.Store.
func (s *Store) UpdateRequest(ctx context.Context, id uuid.UUID, fn func(oprisk.Request) (oprisk.Request, error)) (oprisk.Request, error) {
	var out oprisk.Request
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var doc []byte
		err := tx.GetContext(ctx, &doc, `SELECT doc FROM oprisk.requests WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no held request %s", oprisk.ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		r, err := decodeRequest(doc)
		if err != nil {
			return err
		}
		n, err := fn(r)
		if err != nil {
			return err
		}
		n.ID = id
		if err := s.putRequest(ctx, tx, n, false); err != nil {
			return err
		}
		out = n
		return nil
	})
	return out, err
}

// Requests implements oprisk.Store.
func (s *Store) Requests(ctx context.Context, f oprisk.Filter) ([]oprisk.Request, error) {
	var docs [][]byte
	err := s.db.SelectContext(ctx, &docs, `SELECT doc FROM oprisk.requests
		WHERE ($1 = '' OR status = $1) AND id > $2 ORDER BY id LIMIT $3`, string(f.Status), f.After, f.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]oprisk.Request, 0, len(docs))
	for _, d := range docs {
		r, err := decodeRequest(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CountApprovals implements oprisk.Store.
func (s *Store) CountApprovals(ctx context.Context, checkerID string, roles []string, since time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM oprisk.requests
		WHERE checker_id = $1 AND checked_at >= $2 AND status IN ('approved', 'done') AND maker_roles && $3::TEXT[]`,
		checkerID, since, pq.StringArray(nonNil(roles)))
	return n, err
}

const recordColumns = `seq, at, actor_id, actor, roles, action, method, path, object, outcome, request_id, address, pii, detail, prev_hash, hash`

type recordRow struct {
	Seq       int64          `db:"seq"`
	At        time.Time      `db:"at"`
	ActorID   string         `db:"actor_id"`
	Actor     string         `db:"actor"`
	Roles     pq.StringArray `db:"roles"`
	Action    string         `db:"action"`
	Method    string         `db:"method"`
	Path      string         `db:"path"`
	Object    string         `db:"object"`
	Outcome   int            `db:"outcome"`
	RequestID string         `db:"request_id"`
	Address   string         `db:"address"`
	PII       bool           `db:"pii"`
	Detail    string         `db:"detail"`
	PrevHash  []byte         `db:"prev_hash"`
	Hash      []byte         `db:"hash"`
}

func (r recordRow) record() oprisk.Record {
	out := oprisk.Record{Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, Actor: r.Actor, Action: r.Action, Method: r.Method,
		Path: r.Path, Object: r.Object, Outcome: r.Outcome, RequestID: r.RequestID, Address: r.Address, PII: r.PII,
		Detail: r.Detail, PrevHash: r.PrevHash, Hash: r.Hash}
	if len(r.Roles) > 0 {
		out.Roles = slices.Clone([]string(r.Roles))
	}
	return out
}

// Append implements oprisk.Store. Appends that arrive while another is
// being written wait and go together in the next transaction (group
// commit): every staff request appends, and one commit — one flush of the
// write-ahead log — then serves many of them. Each transaction locks the
// head row, so processes sharing the database still build one chain.
func (s *Store) Append(ctx context.Context, r oprisk.Record) (oprisk.Record, error) {
	p := &pendingAppend{rec: r, done: make(chan appendResult, 1)}
	s.amu.Lock()
	s.queue = append(s.queue, p)
	lead := !s.flushing
	s.flushing = true
	s.amu.Unlock()
	if lead {
		s.flush(context.WithoutCancel(ctx))
	}
	res := <-p.done
	return res.rec, res.err
}

// maxBatch bounds the records of one append transaction.
const maxBatch = 200

type pendingAppend struct {
	rec  oprisk.Record
	done chan appendResult
}

type appendResult struct {
	rec oprisk.Record
	err error
}

// flush writes the queue one batch at a time until it is empty; the batch
// it takes first holds the caller's own record, so the caller is answered
// after one transaction, and the rest is left to a goroutine.
func (s *Store) flush(ctx context.Context) {
	s.amu.Lock()
	batch := s.queue[:min(len(s.queue), maxBatch)]
	s.queue = s.queue[len(batch):]
	s.amu.Unlock()
	recs, err := s.appendBatch(ctx, batch)
	for i, p := range batch {
		if err != nil {
			p.done <- appendResult{err: err}
		} else {
			p.done <- appendResult{rec: recs[i]}
		}
	}
	s.amu.Lock()
	if len(s.queue) == 0 {
		s.flushing = false
		s.amu.Unlock()
		return
	}
	s.amu.Unlock()
	go s.flush(ctx)
}

func (s *Store) appendBatch(ctx context.Context, batch []*pendingAppend) ([]oprisk.Record, error) {
	if out, ok, err := s.appendAtKnownHead(ctx, batch); ok || err != nil {
		return out, err
	}
	out, err := s.appendLocked(ctx, batch)
	if err == nil && len(out) > 0 {
		last := out[len(out)-1]
		s.head = &oprisk.Record{Seq: last.Seq, Hash: last.Hash}
	} else {
		s.head = nil
	}
	return out, err
}

// appendAtHeadSQL moves the head from where this process left it ($3,
// $4) to the batch's last record ($1, $2) and inserts the batch's rows,
// given as one array per column; the rows go in only if the head moved.
// Its text is the same for every batch, so it is prepared once per
// connection: one round trip (bind and execute) instead of two (parse,
// then bind and execute). Roles are one JSON array per record, as an
// array of arrays must be rectangular.
const appendAtHeadSQL = `WITH h AS (UPDATE oprisk.audit_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4 RETURNING 1)
	INSERT INTO oprisk.audit (` + recordColumns + `)
	SELECT v.seq, v.at::timestamptz, v.actor_id, v.actor,
		ARRAY(SELECT r FROM jsonb_array_elements_text(v.roles::jsonb) WITH ORDINALITY AS e(r, i) ORDER BY i),
		v.action, v.method, v.path, v.object, v.outcome, v.request_id, v.address, v.pii, v.detail, v.prev_hash, v.hash
	FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
		$13::text[], $14::int[], $15::text[], $16::text[], $17::boolean[], $18::text[], $19::bytea[], $20::bytea[])
		AS v(seq, at, actor_id, actor, roles, action, method, path, object, outcome, request_id, address, pii, detail, prev_hash, hash)
	WHERE EXISTS (SELECT 1 FROM h)`

// appendAtKnownHead writes the batch in one prepared statement, and so one
// round trip and one implicit transaction, when the head this process last
// wrote is still the chain's: the head moves only if it is where this
// process left it, and the rows go in only if the head moved. When another
// process has appended since (or none is known), it reports ok false and
// the batch goes the locked way. Only for durable commits: the
// asynchronous option needs a transaction for SET LOCAL.
func (s *Store) appendAtKnownHead(ctx context.Context, batch []*pendingAppend) ([]oprisk.Record, bool, error) {
	if s.head == nil || s.asyncCommit || len(batch) == 0 {
		return nil, false, nil
	}
	out, args, err := linkBatch(*s.head, batch)
	if err != nil {
		return nil, false, err
	}
	res, err := s.stmts.ExecContext(ctx, appendAtHeadSQL, args...)
	if err != nil {
		s.head = nil
		return nil, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(batch)) {
		s.head = nil // another process moved the head: read it under its lock
		return nil, false, nil
	}
	last := out[len(out)-1]
	s.head = &oprisk.Record{Seq: last.Seq, Hash: last.Hash}
	return out, true, nil
}

// linkBatch chains the batch's records after prev and returns them with
// appendAtHeadSQL's arguments: the head moving from prev to the last of
// them, and one array per column.
func linkBatch(prev oprisk.Record, batch []*pendingAppend) ([]oprisk.Record, []any, error) {
	out := make([]oprisk.Record, 0, len(batch))
	var (
		seqs, outcomes                                        []int64
		ats, actorIDs, actors, roles, actions, methods, paths []string
		objects, requestIDs, addresses, details               []string
		piis                                                  []bool
		prevHashes, hashes                                    [][]byte
	)
	head := prev
	for _, p := range batch {
		n := oprisk.Link(prev, p.rec)
		out = append(out, n)
		prev = n
		rs, err := json.Marshal(nonNil(n.Roles))
		if err != nil {
			return nil, nil, err
		}
		seqs, outcomes = append(seqs, n.Seq), append(outcomes, int64(n.Outcome))
		ats = append(ats, n.At.UTC().Format(time.RFC3339Nano))
		actorIDs, actors, roles = append(actorIDs, n.ActorID), append(actors, n.Actor), append(roles, string(rs))
		actions, methods, paths = append(actions, n.Action), append(methods, n.Method), append(paths, n.Path)
		objects, requestIDs = append(objects, n.Object), append(requestIDs, n.RequestID)
		addresses, details, piis = append(addresses, n.Address), append(details, n.Detail), append(piis, n.PII)
		prevHashes, hashes = append(prevHashes, n.PrevHash), append(hashes, n.Hash)
	}
	return out, []any{prev.Seq, prev.Hash, head.Seq, head.Hash,
		pq.Int64Array(seqs), pq.StringArray(ats), pq.StringArray(actorIDs), pq.StringArray(actors), pq.StringArray(roles),
		pq.StringArray(actions), pq.StringArray(methods), pq.StringArray(paths), pq.StringArray(objects),
		pq.Int64Array(outcomes), pq.StringArray(requestIDs), pq.StringArray(addresses), pq.BoolArray(piis),
		pq.StringArray(details), pq.ByteaArray(prevHashes), pq.ByteaArray(hashes)}, nil
}

// appendLocked reads the head under its row lock and writes the batch
// after it with appendAtHeadSQL, in one transaction.
func (s *Store) appendLocked(ctx context.Context, batch []*pendingAppend) ([]oprisk.Record, error) {
	var out []oprisk.Record
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		if s.asyncCommit {
			if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
				return err
			}
		}
		var head oprisk.Record
		if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM oprisk.audit_head WHERE id = 1 FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
			return err
		}
		var (
			args []any
			err  error
		)
		if out, args, err = linkBatch(head, batch); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, appendAtHeadSQL, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(batch)) {
			return fmt.Errorf("pgoprisk: the audit head moved under its lock (%d of %d records written): %v", n, len(batch), err)
		}
		return nil
	})
	return out, err
}

// Records implements oprisk.Store.
func (s *Store) Records(ctx context.Context, f oprisk.AuditFilter) ([]oprisk.Record, error) {
	var rows []recordRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+recordColumns+` FROM oprisk.audit
		WHERE seq > $1 AND ($2 = '' OR actor_id = $2) AND ($3 = '' OR request_id = $3)
		ORDER BY seq LIMIT $4`, f.After, f.ActorID, f.RequestID, f.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]oprisk.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

// Head implements oprisk.Store.
func (s *Store) Head(ctx context.Context) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT seq, hash FROM oprisk.audit_head WHERE id = 1`).Scan(&seq, &hash)
	if len(hash) == 0 {
		hash = nil
	}
	return seq, hash, err
}

// Performed implements oprisk.Store.
func (s *Store) Performed(ctx context.Context, actorID, action, object string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM oprisk.audit
		WHERE actor_id = $1 AND action = $2 AND object = $3 AND outcome BETWEEN 200 AND 299)`, actorID, action, object)
	return ok, err
}

// CountPII implements oprisk.Store.
func (s *Store) CountPII(ctx context.Context, actorID string, since time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM oprisk.audit WHERE actor_id = $1 AND at >= $2 AND pii`, actorID, since)
	return n, err
}

// RaiseAlert implements oprisk.Store.
func (s *Store) RaiseAlert(ctx context.Context, a oprisk.Alert) (bool, error) {
	doc, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO oprisk.alerts (id, key, doc) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		a.ID, a.Key(), doc)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Alerts implements oprisk.Store.
func (s *Store) Alerts(ctx context.Context, after uuid.UUID, limit int) ([]oprisk.Alert, error) {
	var docs [][]byte
	if err := s.db.SelectContext(ctx, &docs, `SELECT doc FROM oprisk.alerts WHERE id > $1 ORDER BY id LIMIT $2`, after, limit); err != nil {
		return nil, err
	}
	out := make([]oprisk.Alert, 0, len(docs))
	for _, d := range docs {
		var a oprisk.Alert
		if err := json.Unmarshal(d, &a); err != nil {
			return nil, fmt.Errorf("pgoprisk: decode alert: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}
