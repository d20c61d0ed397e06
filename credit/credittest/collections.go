package credittest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
)

// A loan's collections actions are kept beside it, read a page at a
// time in number order; the loan's record keeps only the last action and
// the count, so its JSON does not grow with them. Concurrent actions get
// numbers without gaps; a refused step adds nothing; an entry numbered
// out of turn is ErrDuplicate.
func testCollectionsHistory(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	l, _ := e.disbursed(p)
	before, err := json.Marshal(e.loan(l.ID))
	require.NoError(t, err)

	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.RecordAction(e.ctx, l.ID, credit.ActionRequest{Kind: credit.ActionCall, Outcome: credit.OutcomeNoAnswer,
				Note: fmt.Sprintf("try %d", i), By: "agent-1"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	l = e.loan(l.ID)
	require.Equal(t, n, l.Collections.Actions)
	require.Equal(t, n, l.Collections.LastAction.Number)
	after, err := json.Marshal(l)
	require.NoError(t, err)
	require.Less(t, len(after)-len(before), 400, "the loan's record holds one action, not %d", n)

	var numbers []int
	for page := (credit.NumberPage{Limit: 5}); ; {
		as, err := e.svc.CollectionActions(e.ctx, l.ID, page)
		require.NoError(t, err)
		for _, a := range as {
			numbers = append(numbers, a.Number)
			require.Equal(t, credit.ActionCall, a.Kind)
			require.Equal(t, "agent-1", a.By)
		}
		if len(as) < page.Limit {
			break
		}
		page.After = as[len(as)-1].Number
	}
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, numbers, "every action once, in number order")

	_, err = e.svc.CollectionActions(e.ctx, l.ID, credit.NumberPage{Limit: credit.MaxPageLimit + 1})
	require.Equal(t, "limit", field(err))
	_, err = e.svc.CollectionActions(e.ctx, l.ID, credit.NumberPage{After: -1})
	require.Equal(t, "after", field(err))
	_, err = e.svc.CollectionActions(e.ctx, credit.NewID(), credit.NumberPage{})
	require.ErrorIs(t, err, credit.ErrNotFound)
	_, err = e.svc.Promises(e.ctx, credit.NewID(), credit.NumberPage{})
	require.ErrorIs(t, err, credit.ErrNotFound)
	ps, err := e.svc.Promises(e.ctx, l.ID, credit.NumberPage{})
	require.NoError(t, err)
	require.Empty(t, ps)

	// The store: an error of fn changes nothing; a number out of turn is
	// refused and changes nothing either.
	boom := errors.New("boom")
	_, err = e.store.UpdateCollections(e.ctx, l.ID, func(l credit.Loan) (credit.Loan, credit.CollectionEntries, []event.Envelope, error) {
		return l, credit.CollectionEntries{}, nil, boom
	})
	require.ErrorIs(t, err, boom)
	for _, num := range []int{n, n + 2} {
		_, err = e.store.UpdateCollections(e.ctx, l.ID, func(l credit.Loan) (credit.Loan, credit.CollectionEntries, []event.Envelope, error) {
			a := *l.Collections.LastAction
			a.Number = num
			l.Collections.LastAction, l.Collections.Actions = &a, num
			return l, credit.CollectionEntries{Action: &a}, nil, nil
		})
		require.ErrorIs(t, err, credit.ErrDuplicate, "number %d", num)
	}
	_, err = e.store.UpdateCollections(e.ctx, credit.NewID(), func(l credit.Loan) (credit.Loan, credit.CollectionEntries, []event.Envelope, error) {
		return l, credit.CollectionEntries{}, nil, nil
	})
	require.ErrorIs(t, err, credit.ErrNotFound)
	require.Equal(t, n, e.loan(l.ID).Collections.Actions)
	as, err := e.svc.CollectionActions(e.ctx, l.ID, credit.NumberPage{After: n - 1})
	require.NoError(t, err)
	require.Len(t, as, 1)
}
