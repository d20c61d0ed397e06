package idempotency_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

func stores(t *testing.T) map[string]func(t *testing.T) idempotency.Store {
	newPostgres := func(t *testing.T) idempotency.Store {
		db := pgtest.New(t)
		require.NoError(t, idempotency.Migrate(context.Background(), db))
		return newPostgresOn(t, db)
	}
	return map[string]func(t *testing.T) idempotency.Store{
		"memory":   func(t *testing.T) idempotency.Store { return idempotency.NewMemory() },
		"postgres": newPostgres,
		"memory, sealed": func(t *testing.T) idempotency.Store {
			return idempotency.Sealed(idempotency.NewMemory(), newSealer(t))
		},
		"postgres, sealed": func(t *testing.T) idempotency.Store { return idempotency.Sealed(newPostgres(t), newSealer(t)) },
	}
}

// newPostgresOn is a store on db, one owner (one server process) of its own.
func newPostgresOn(t *testing.T, db *sqlx.DB) *idempotency.Postgres {
	t.Helper()
	s, err := idempotency.NewPostgres(context.Background(), db)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var (
	t0    = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	lease = 30 * time.Second
	fpA   = idempotency.Fingerprint(sha256.Sum256([]byte("POST /v1/deposits {a}")))
	fpB   = idempotency.Fingerprint(sha256.Sum256([]byte("POST /v1/deposits {b}")))
	resp  = idempotency.Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"id":"1"}`)}
)

func TestStores(t *testing.T) {
	for name, newStore := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tests := map[string]func(t *testing.T, s idempotency.Store){
				"claim then replay the completed response": func(t *testing.T, s idempotency.Store) {
					got, err := s.Begin(ctx, "k", fpA, t0, lease)
					require.NoError(t, err)
					require.Nil(t, got)
					require.NoError(t, s.Complete(ctx, "k", resp, t0))
					got, err = s.Begin(ctx, "k", fpA, t0.Add(time.Hour), lease)
					require.NoError(t, err)
					require.Equal(t, &resp, got)
				},
				"a response recorded as idempotent replays the same": func(t *testing.T, s idempotency.Store) {
					_, err := s.Begin(ctx, "k", fpA, t0, lease)
					require.NoError(t, err)
					require.NoError(t, s.CompleteIdempotent(ctx, "k", resp, t0))
					got, err := s.Begin(ctx, "k", fpA, t0.Add(time.Hour), lease)
					require.NoError(t, err)
					require.Equal(t, &resp, got)
				},
				"same key different request is a mismatch": func(t *testing.T, s idempotency.Store) {
					_, err := s.Begin(ctx, "k", fpA, t0, lease)
					require.NoError(t, err)
					_, err = s.Begin(ctx, "k", fpB, t0, lease)
					require.ErrorIs(t, err, idempotency.ErrMismatch)
					require.NoError(t, s.Complete(ctx, "k", resp, t0))
					_, err = s.Begin(ctx, "k", fpB, t0.Add(time.Hour), lease)
					require.ErrorIs(t, err, idempotency.ErrMismatch)
				},
				"in flight until the lease ends, then taken over": func(t *testing.T, s idempotency.Store) {
					_, err := s.Begin(ctx, "k", fpA, t0, lease)
					require.NoError(t, err)
					_, err = s.Begin(ctx, "k", fpA, t0.Add(lease-time.Second), lease)
					require.ErrorIs(t, err, idempotency.ErrInFlight)
					got, err := s.Begin(ctx, "k", fpA, t0.Add(lease), lease)
					require.NoError(t, err)
					require.Nil(t, got, "an expired claim is taken over")
					_, err = s.Begin(ctx, "k", fpA, t0.Add(lease+time.Second), lease)
					require.ErrorIs(t, err, idempotency.ErrInFlight, "the takeover holds a fresh lease")
				},
				"abandon frees an in-flight key but not a completed one": func(t *testing.T, s idempotency.Store) {
					_, err := s.Begin(ctx, "k", fpA, t0, lease)
					require.NoError(t, err)
					require.NoError(t, s.Abandon(ctx, "k"))
					got, err := s.Begin(ctx, "k", fpB, t0, lease)
					require.NoError(t, err, "after abandon the key is free for any request")
					require.Nil(t, got)
					require.NoError(t, s.Complete(ctx, "k", resp, t0))
					require.NoError(t, s.Abandon(ctx, "k"))
					got, err = s.Begin(ctx, "k", fpB, t0, lease)
					require.NoError(t, err)
					require.Equal(t, &resp, got, "a completed response survives Abandon")
				},
				"purge drops old records only": func(t *testing.T, s idempotency.Store) {
					_, err := s.Begin(ctx, "old", fpA, t0, lease)
					require.NoError(t, err)
					_, err = s.Begin(ctx, "new", fpA, t0.Add(48*time.Hour), lease)
					require.NoError(t, err)
					n, err := s.Purge(ctx, t0.Add(24*time.Hour))
					require.NoError(t, err)
					require.Equal(t, 1, n)
					_, err = s.Begin(ctx, "new", fpA, t0.Add(48*time.Hour), lease)
					require.ErrorIs(t, err, idempotency.ErrInFlight)
				},
				"concurrent claims of different keys all win, each once": func(t *testing.T, s idempotency.Store) {
					const n = 64
					var wg sync.WaitGroup
					errs := make([]error, 2*n)
					for i := range 2 * n {
						wg.Add(1)
						go func() {
							defer wg.Done()
							got, err := s.Begin(ctx, fmt.Sprintf("k%d", i%n), fpA, t0, lease)
							if err == nil && got != nil {
								err = fmt.Errorf("replayed %v", got)
							}
							errs[i] = err
						}()
					}
					wg.Wait()
					inFlight := 0
					for _, err := range errs {
						if err != nil {
							require.ErrorIs(t, err, idempotency.ErrInFlight)
							inFlight++
						}
					}
					require.Equal(t, n, inFlight, "each of the %d keys is claimed once and in flight for its second request", n)
				},
				"concurrent claims: exactly one wins": func(t *testing.T, s idempotency.Store) {
					const n = 16
					var wg sync.WaitGroup
					results := make([]error, n)
					claimed := make([]bool, n)
					for i := range n {
						wg.Add(1)
						go func() {
							defer wg.Done()
							got, err := s.Begin(ctx, "race", fpA, t0, lease)
							results[i] = err
							claimed[i] = err == nil && got == nil
						}()
					}
					wg.Wait()
					winners := 0
					for i := range n {
						if claimed[i] {
							winners++
						} else {
							require.ErrorIs(t, results[i], idempotency.ErrInFlight)
						}
					}
					require.Equal(t, 1, winners)
				},
			}
			for name, test := range tests {
				t.Run(name, func(t *testing.T) { test(t, newStore(t)) })
			}
		})
	}
}

// A claim whose owner (a server process) has ended is taken over at once,
// not after its lease; while its owner lives, it answers in flight. A
// response one owner recorded is replayed by another.
func TestPostgresTakesOverADeadOwnersClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, idempotency.Migrate(ctx, db))
	first, second := newPostgresOn(t, db), newPostgresOn(t, db)

	for _, key := range []string{"stuck", "done"} {
		got, err := first.Begin(ctx, key, fpA, t0, time.Hour)
		require.NoError(t, err)
		require.Nil(t, got)
	}
	_, err := second.Begin(ctx, "stuck", fpA, t0, time.Hour)
	require.ErrorIs(t, err, idempotency.ErrInFlight, "the first owner lives: its claim stands")
	_, err = second.Begin(ctx, "stuck", fpB, t0, time.Hour)
	require.ErrorIs(t, err, idempotency.ErrMismatch)
	require.NoError(t, first.CompleteIdempotent(ctx, "done", resp, t0))

	require.NoError(t, first.Close()) // the process ends; its session with it
	got, err := second.Begin(ctx, "stuck", fpA, t0.Add(time.Second), time.Hour)
	require.NoError(t, err)
	require.Nil(t, got, "a dead owner's claim is taken over within its lease")
	got, err = second.Begin(ctx, "done", fpA, t0.Add(time.Second), time.Hour)
	require.NoError(t, err)
	require.Equal(t, &resp, got, "the response recorded before the end is replayed")

	third := newPostgresOn(t, db)
	_, err = third.Begin(ctx, "stuck", fpA, t0.Add(2*time.Second), time.Hour)
	require.ErrorIs(t, err, idempotency.ErrInFlight, "the claim taken over belongs to a live owner again")
	_, err = second.Begin(ctx, "stuck", fpA, t0.Add(2*time.Second), time.Hour)
	require.ErrorIs(t, err, idempotency.ErrInFlight, "its own owner's second request with the key waits too")
}

// An owner whose session was dropped (pg_terminate_backend, a failover)
// takes its lock again on a new session, so its claims are live again.
func TestPostgresOwnerSurvivesADroppedSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, idempotency.Migrate(ctx, db))
	first, second := newPostgresOn(t, db), newPostgresOn(t, db)
	_, err := first.Begin(ctx, "k", fpA, t0, time.Hour)
	require.NoError(t, err)

	var pids []int64
	require.NoError(t, db.SelectContext(ctx, &pids, `SELECT backend_pid FROM refserver.idempotency_owners`))
	require.Len(t, pids, 2)
	_, err = db.ExecContext(ctx, `SELECT pg_terminate_backend(backend_pid) FROM refserver.idempotency_owners`)
	require.NoError(t, err)
	// A terminated backend stays in pg_stat_activity until it has exited,
	// so only new backends holding the locks count as taken again.
	require.Eventually(t, func() bool {
		var live int
		err := db.GetContext(ctx, &live, `SELECT count(*) FROM refserver.idempotency_owners o
			JOIN pg_stat_activity a ON a.pid = o.backend_pid
			JOIN pg_locks l ON l.pid = o.backend_pid AND l.locktype = 'advisory' AND l.granted
			WHERE o.backend_pid <> ALL($1)`, pq.Array(pids))
		return err == nil && live == 2
	}, 20*time.Second, 50*time.Millisecond, "both owners hold their locks again")
	_, err = second.Begin(ctx, "k", fpA, t0, time.Hour)
	require.ErrorIs(t, err, idempotency.ErrInFlight)
}

// Purge deletes the records of owners that died and name no claim, and
// keeps every live owner's and every owner a remaining claim names.
func TestPostgresPurgePrunesDeadOwners(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, idempotency.Migrate(ctx, db))
	live := newPostgresOn(t, db)
	idle := newPostgresOn(t, db) // lives, claims nothing
	dead, holder := newPostgresOn(t, db), newPostgresOn(t, db)
	_, err := holder.Begin(ctx, "recent", fpA, t0.Add(48*time.Hour), time.Hour)
	require.NoError(t, err)
	_, err = dead.Begin(ctx, "old", fpA, t0, time.Hour)
	require.NoError(t, err)
	require.NoError(t, dead.Close())
	require.NoError(t, holder.Close()) // died, but its claim on "recent" remains

	owners := func() int {
		var n int
		require.NoError(t, db.GetContext(ctx, &n, `SELECT count(*) FROM refserver.idempotency_owners`))
		return n
	}
	require.Equal(t, 4, owners())
	n, err := live.Purge(ctx, t0.Add(24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n, "the old claim is purged")
	require.Equal(t, 3, owners(), "the dead owner with no claim left is pruned; the live ones and the dead one named by a claim stay")
	_, err = idle.Begin(ctx, "idle-still-owns", fpB, t0, time.Hour)
	require.NoError(t, err)
	_, err = live.Begin(ctx, "idle-still-owns", fpB, t0, time.Hour)
	require.ErrorIs(t, err, idempotency.ErrInFlight, "the idle owner's record survived: its claims are still live")
}
