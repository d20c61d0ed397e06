package pgoprisk_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/oprisktest"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
)

func newDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgoprisk.Migrate(context.Background(), db))
	return db
}

func TestContract(t *testing.T) {
	t.Parallel()
	oprisktest.Run(t, func(t *testing.T) oprisk.Store { return pgoprisk.New(newDB(t)) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	require.NoError(t, pgoprisk.Migrate(context.Background(), db))
	var tables []string
	require.NoError(t, db.Select(&tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'oprisk' ORDER BY table_name`))
	require.Equal(t, []string{"alerts", "audit", "audit_head", "grants", "permissions", "requests", "schema_migrations"}, tables)
}

// TestVerifyDetectsTamperingBySQL appends five records, then alters the
// rows the way someone with write access to the database could, and checks
// that Verify names the first record that no longer fits.
func TestVerifyDetectsTamperingBySQL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		sql      []string
		brokenAt int64
	}{
		{"an edited record", []string{`UPDATE oprisk.audit SET outcome = 200 WHERE seq = 3`}, 3},
		{"an edited actor", []string{`UPDATE oprisk.audit SET actor = 'someone-else' WHERE seq = 2`}, 2},
		{"an edited record with its hash recomputed", nil, 4}, // filled below: record 4 no longer links to it
		{"a deleted record", []string{`DELETE FROM oprisk.audit WHERE seq = 3`}, 4},
		{"the deleted last record", []string{`DELETE FROM oprisk.audit WHERE seq = 5`}, 5},
		{"the deleted last record and head rewound", []string{`DELETE FROM oprisk.audit WHERE seq = 5`,
			`UPDATE oprisk.audit_head SET seq = 4`}, 4},
		{"two records swapped", []string{`UPDATE oprisk.audit SET seq = -2 WHERE seq = 2`,
			`UPDATE oprisk.audit SET seq = 2 WHERE seq = 3`, `UPDATE oprisk.audit SET seq = 3 WHERE seq = -2`}, 2},
		{"a record inserted", []string{`INSERT INTO oprisk.audit SELECT 6, at, actor_id, actor, roles, action, method, path, object,
			outcome, request_id, address, pii, detail, hash, hash FROM oprisk.audit WHERE seq = 5`}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := newDB(t)
			svc, err := oprisk.NewService(pgoprisk.New(db))
			require.NoError(t, err)
			var recs []oprisk.Record
			for i, status := range []int{201, 200, 403, 200, 202} {
				r, _, err := svc.Append(ctx, oprisk.Record{ActorID: "id-alice", Actor: "alice", Roles: []string{"teller"},
					Action: "accounts.freeze", Method: "POST", Path: "/v1/accounts/x/freeze", Object: string(rune('a' + i)),
					Outcome: status, RequestID: "r", Address: "192.0.2.1"})
				require.NoError(t, err)
				recs = append(recs, r)
			}
			v, err := svc.Verify(ctx)
			require.NoError(t, err)
			require.True(t, v.OK, "untouched: %+v", v)

			if c.sql == nil {
				// A forger who knows the hash function rewrites record 3 and
				// its own hash: record 4 still names the old hash.
				forged := recs[2]
				forged.Outcome = 200
				_, err := db.Exec(`UPDATE oprisk.audit SET outcome = 200, hash = $1 WHERE seq = 3`, oprisk.ChainHash(forged))
				require.NoError(t, err)
			}
			for _, q := range c.sql {
				_, err := db.Exec(q)
				require.NoError(t, err)
			}
			v, err = svc.Verify(ctx)
			require.NoError(t, err)
			if c.brokenAt == 0 {
				// A row added beyond the head is not part of the chain the
				// store appended: the walk stops at the head, and the next
				// append fails on the duplicate sequence number rather than
				// building on the forgery.
				require.True(t, v.OK)
				_, _, err = svc.Append(ctx, oprisk.Record{ActorID: "x", Outcome: 200})
				require.Error(t, err)
				return
			}
			require.False(t, v.OK, "%+v", v)
			require.Equal(t, c.brokenAt, v.BrokenAt, v.Reason)
			require.NotEmpty(t, v.Reason)
		})
	}
}

// TestTwoProcessesBuildOneChain: two stores on one database (two server
// processes) append in turns and at once. Each writes at the head it last
// left in one statement only while that is still the chain's head, so
// every append after the other's goes the locked way: the chain has no
// gap, no fork, and verifies.
func TestTwoProcessesBuildOneChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	a, err := oprisk.NewService(pgoprisk.New(db))
	require.NoError(t, err)
	b, err := oprisk.NewService(pgoprisk.New(db))
	require.NoError(t, err)
	rec := func(who string) oprisk.Record {
		return oprisk.Record{ActorID: "id-" + who, Actor: who, Roles: []string{"teller"}, Action: "accounts.read",
			Method: "GET", Path: "/v1/accounts/x", Outcome: 200, RequestID: "r", Address: "192.0.2.1"}
	}
	// In turns: a, a (its known head), b (a moved it), a (b moved it), b, b.
	var seqs []int64
	for _, svc := range []*oprisk.Service{a, a, b, a, b, b} {
		r, _, err := svc.Append(ctx, rec("turns"))
		require.NoError(t, err)
		seqs = append(seqs, r.Seq)
	}
	require.Equal(t, []int64{1, 2, 3, 4, 5, 6}, seqs)
	// At once.
	var wg sync.WaitGroup
	for i := range 40 {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		wg.Go(func() {
			_, _, err := svc.Append(ctx, rec("racing"))
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	var n, maxSeq int64
	require.NoError(t, db.QueryRow(`SELECT count(*), max(seq) FROM oprisk.audit`).Scan(&n, &maxSeq))
	require.Equal(t, int64(46), n)
	require.Equal(t, int64(46), maxSeq, "no gap")
	v, err := a.Verify(ctx)
	require.NoError(t, err)
	require.True(t, v.OK, "%+v", v)
	require.Equal(t, int64(46), v.Checked)
	require.Equal(t, int64(46), v.Head)
}
