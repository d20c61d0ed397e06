package customertest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

// runAtOnce starts n goroutines at the same moment and waits for them.
func runAtOnce(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	ready := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			errs[i] = fn(i)
		}()
	}
	close(ready)
	wg.Wait()
	return errs
}

// Primary documents added at the same moment leave exactly one primary.
func testConcurrentPrimaryDocuments(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	const n = 6
	for round := range 2 {
		errs := runAtOnce(n, func(i int) error {
			_, err := e.svc.AddDocument(e.ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport,
				Number: fmt.Sprintf("E%d%07d", round, i), IssuingCountry: "CN",
				IssuedOn: calendar.MustParseDate("2020-01-01"), Primary: true})
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
	}
	docs, err := e.svc.Documents(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, docs, 2*n)
	primaries := 0
	for _, d := range docs {
		if d.Primary {
			primaries++
		}
	}
	require.Equal(t, 1, primaries)
}

// Events written by concurrent changes get seqs 1..N with no gap and no
// repeat, so a subscriber reading "after seq" misses nothing.
func testConcurrentEvents(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	const n = 8
	var ids []customer.ID
	for i := range n {
		ids = append(ids, e.create(traveller(i)).ID)
	}
	for round := range 2 {
		errs := runAtOnce(2*n, func(i int) error {
			id := ids[i%n]
			if i < n && round == 0 {
				_, err := e.svc.SetKYC(e.ctx, id, customer.KYCDecision{Status: customer.KYCVerified, By: "o", Reason: "ok"})
				return err
			}
			_, err := e.svc.GrantConsent(e.ctx, id, customer.ConsentRequest{Purpose: customer.PurposeMarketing,
				Channel: customer.ChannelEmail, Source: "web"})
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
	}
	evs := e.events()
	require.Len(t, evs, n+4*n, "n created, n KYC changes, 3n consents")
	counts := map[string]int{}
	for i, ev := range evs {
		require.Equal(t, int64(i+1), ev.Sequence)
		counts[ev.Type]++
	}
	require.Equal(t, map[string]int{customer.EventCustomerCreated: n, customer.EventKYCChanged: n,
		customer.EventConsentChanged: 3 * n}, counts)
}
