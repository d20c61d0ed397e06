package customertest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
)

// recorder is an event handler that remembers what it accepted and
// refuses the events it is told to, once each.
type recorder struct {
	mu     sync.Mutex
	seen   []event.Envelope
	refuse map[int64]bool
}

func (r *recorder) handle(_ context.Context, ev event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse[ev.Sequence] {
		delete(r.refuse, ev.Sequence)
		return errors.New("downstream unavailable")
	}
	r.seen = append(r.seen, ev)
	return nil
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.seen {
		out = append(out, ev.Type)
	}
	return out
}

func testEvents(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	a := e.create(zhang())
	_, err := e.svc.SetKYC(e.ctx, a.ID, customer.KYCDecision{Status: customer.KYCVerified, By: "o", Reason: "ok"})
	require.NoError(t, err)
	_, err = e.svc.GrantConsent(e.ctx, a.ID, customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelEmail, Source: "web"})
	require.NoError(t, err)
	e.create(traveller(1))
	all := []string{customer.EventCustomerCreated, customer.EventKYCChanged, customer.EventConsentChanged, customer.EventCustomerCreated}

	marketing := &recorder{refuse: map[int64]bool{3: true}}
	risk := &recorder{}
	require.NoError(t, e.svc.Events().Subscribe(e.ctx, "marketing", marketing.handle))
	require.NoError(t, e.svc.Events().Subscribe(e.ctx, "risk", risk.handle))
	n, err := e.svc.Events().Deliver(e.ctx)
	require.Error(t, err, "marketing refused an event")
	require.Equal(t, 2+4, n)
	require.Equal(t, all[:2], marketing.types(), "delivery stops at the refused event")
	require.Equal(t, all, risk.types(), "subscribers are independent")
	for i, ev := range risk.seen {
		require.Equal(t, int64(i+1), ev.Sequence, "in the order of the changes")
	}

	n, err = e.svc.Events().Deliver(e.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, all, marketing.types(), "the refused event comes again, and nothing is skipped")

	require.NoError(t, e.store.Events().Advance(e.ctx, "marketing", 1))
	at, err := e.svc.Events().Cursor(e.ctx, "marketing")
	require.NoError(t, err)
	require.Equal(t, int64(4), at, "a cursor never moves back")

	// A restarted process resumes where each subscriber stopped.
	restarted, err := customer.NewService(e.store, e.keys, customer.WithClock(e.clock))
	require.NoError(t, err)
	again := &recorder{}
	require.NoError(t, restarted.Events().Subscribe(e.ctx, "marketing", again.handle))
	n, err = restarted.Events().Deliver(e.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	b := e.create(traveller(2))
	_, err = restarted.Events().Deliver(e.ctx)
	require.NoError(t, err)
	require.Len(t, again.seen, 1)
	require.Equal(t, []customer.ID{b.ID}, again.seen[0].Subjects)

	require.ErrorIs(t, e.svc.Events().Subscribe(e.ctx, "", risk.handle), event.ErrInvalidInput)
	_, err = e.svc.Events().Read(e.ctx, -1, 10)
	require.ErrorIs(t, err, event.ErrInvalidInput)
}
