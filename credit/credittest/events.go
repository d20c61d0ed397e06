package credittest

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
)

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

// Every change publishes its event once it is made, in order, with the
// ids it is about; a subscriber that fails gets the event again.
func testEvents(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	e.strong(c)
	a := e.submit(application(c, p.ID))
	_, err := e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	_, err = e.svc.Withdraw(e.ctx, a.ID, "officer", "")
	require.NoError(t, err)
	_, err = e.svc.Submit(e.ctx, credit.NewApplication{}) // refused: no event
	require.Error(t, err)

	risk := &recorder{refuse: map[int64]bool{3: true}}
	require.NoError(t, e.svc.Events().Subscribe(e.ctx, "risk", risk.handle))
	_, err = e.svc.Events().Deliver(e.ctx)
	require.Error(t, err)
	_, err = e.svc.Events().Deliver(e.ctx)
	require.NoError(t, err)
	var types []string
	for _, ev := range risk.seen {
		types = append(types, ev.Type)
		require.Equal(t, credit.EventSource, ev.Source)
		require.Equal(t, credit.EventVersion, ev.Version)
		require.Equal(t, today, ev.BusinessDate)
	}
	require.Equal(t, []string{credit.EventProductCreated, credit.EventApplicationSubmitted,
		credit.EventApplicationScored, credit.EventApplicationWithdrawn}, types)
	require.Equal(t, []credit.ID{a.ID, c}, risk.seen[2].Subjects)
	var scored credit.ApplicationScored
	require.NoError(t, json.Unmarshal(risk.seen[2].Payload, &scored))
	require.Equal(t, credit.ApplicationScored{ApplicationID: a.ID, CustomerID: c, Status: credit.StatusScored, Score: 675, Grade: "A"}, scored)
}
