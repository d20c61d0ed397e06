package pgledger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

var errNotYours = errors.New("the key is another request's")

// transfers counts the store's transfer entries.
func transfers(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	require.NoError(t, s.db.Get(&n, `SELECT count(*) FROM ledger.entries WHERE kind = 'transfer'`))
	return n
}

// TestALoneCallersGateRunsBeforeTheWrite: the store, not the Service, runs
// the caller's ledger.WaitBeforePost; while it waits nothing is written,
// once it passes the transfer posts, and when it fails the call returns its
// error with nothing posted — the key stays unused, so the same request
// without the gate posts once.
func TestALoneCallersGateRunsBeforeTheWrite(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	ctx := context.Background()
	req := ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse("30.00", "CNY"), IdempotencyKey: "k1"}

	entered, release := make(chan struct{}), make(chan struct{})
	var calls int
	gated := ledger.WithBeforePost(ctx, func(context.Context) error {
		calls++
		if calls == 1 {
			close(entered)
		}
		<-release
		return nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := svc.Transfer(gated, req)
		done <- err
	}()
	<-entered
	require.Zero(t, transfers(t, s), "nothing is written while the gate waits")
	close(release)
	require.NoError(t, <-done)
	require.Equal(t, 1, transfers(t, s))

	refused := ledger.WithBeforePost(ctx, func(context.Context) error { return errNotYours })
	req2 := req
	req2.IdempotencyKey = "k2"
	_, err := svc.Transfer(refused, req2)
	require.ErrorIs(t, err, errNotYours)
	require.Equal(t, 1, transfers(t, s), "a failed gate posts nothing")
	r, err := svc.Transfer(ctx, req2)
	require.NoError(t, err)
	require.False(t, r.Replayed, "the refused call left its key unused")
	a, err := svc.Account(ctx, alice.ID)
	require.NoError(t, err)
	require.Equal(t, "40.00", a.Balance.Amount.StringFixed(2))
}

// TestPostEntriesRunsTheGate: the store itself runs the gate (it is a
// ledger.PostGate, so the Service leaves the wait to it).
func TestPostEntriesRunsTheGate(t *testing.T) {
	t.Parallel()
	s, _, alice, bob := fundedPair(t)
	ctx := ledger.WithBeforePost(context.Background(), func(context.Context) error { return errNotYours })
	e := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindTransfer, ValueDate: alice.OpenedOn, BookedAt: time.Now(),
		Postings: []ledger.Posting{
			{AccountID: alice.ID, Side: ledger.Debit, Amount: money.MustParse("1.00", "CNY")},
			{AccountID: bob.ID, Side: ledger.Credit, Amount: money.MustParse("1.00", "CNY")},
		}}
	_, err := s.PostEntries(ctx, []ledger.PostRequest{{Entry: e}})
	require.ErrorIs(t, err, errNotYours)
	require.Zero(t, transfers(t, s))
}

// TestALoneCallersGateOnTheLockingPath: a capture of a hold takes the
// locking path, whose transaction begins only after the gate: a failed
// gate captures nothing, and the hold stays active.
func TestALoneCallersGateOnTheLockingPath(t *testing.T) {
	t.Parallel()
	_, svc, alice, bob := fundedPair(t)
	ctx := context.Background()
	h, err := svc.PlaceHold(ctx, ledger.HoldRequest{AccountID: alice.ID, Amount: money.MustParse("50.00", "CNY")})
	require.NoError(t, err)
	refused := ledger.WithBeforePost(ctx, func(context.Context) error { return errNotYours })
	_, err = svc.CaptureHold(refused, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: bob.ID, Amount: money.MustParse("20.00", "CNY")})
	require.ErrorIs(t, err, errNotYours)
	got, err := svc.Hold(ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, got.Status)
	_, err = svc.CaptureHold(ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: bob.ID, Amount: money.MustParse("20.00", "CNY")})
	require.NoError(t, err)
	b, err := svc.Account(ctx, bob.ID)
	require.NoError(t, err)
	require.Equal(t, "120.00", b.Balance.Amount.StringFixed(2))
}

// TestGatesOfAGroup: callers queued into one batch each pass their own
// gate; the one whose gate fails gets its error and posts nothing, the
// others post together.
func TestGatesOfAGroup(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	ctx := context.Background()
	c := &s.group
	c.mu.Lock()
	c.leaders = maxLeaders // every slot taken: callers queue
	c.mu.Unlock()

	amounts := []string{"10.00", "20.00", "30.00"}
	errs := make([]error, len(amounts))
	var wg sync.WaitGroup
	for i, a := range amounts {
		gctx := ledger.WithBeforePost(ctx, func(context.Context) error {
			if i == 1 {
				return errNotYours
			}
			return nil
		})
		wg.Go(func() {
			_, errs[i] = svc.Transfer(gctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse(a, "CNY")})
		})
		waitQueued(t, c, i+1)
	}
	s.handOff()
	wg.Wait()
	c.mu.Lock()
	c.leaders = 0
	c.mu.Unlock()

	require.NoError(t, errs[0])
	require.ErrorIs(t, errs[1], errNotYours)
	require.NoError(t, errs[2])
	require.Equal(t, 2, transfers(t, s))
	a, err := svc.Account(ctx, alice.ID)
	require.NoError(t, err)
	require.Equal(t, "60.00", a.Balance.Amount.StringFixed(2))
}
