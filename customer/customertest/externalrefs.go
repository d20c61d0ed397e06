package customertest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
)

// A client's reference finds its customer, survives an update, is in the
// creation event, and a second customer with it is refused naming the
// first; another client's equal reference is another reference.
func testExternalRefs(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	ref := customer.ExternalRef{Client: "teller-1", Ref: "crm-0042"}
	n := zhang()
	n.ExternalRef = ref
	c := e.create(n)
	require.Equal(t, ref, c.ExternalRef)

	found, err := e.svc.ByExternalRef(e.ctx, ref)
	require.NoError(t, err)
	require.Equal(t, c.ID, found.ID)
	require.Equal(t, ref, found.ExternalRef)
	got, err := e.svc.Get(e.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, ref, got.ExternalRef)

	// An update keeps it.
	_, err = e.svc.Update(e.ctx, c.ID, 1, customer.Patch{Occupation: ptr("教师")})
	require.NoError(t, err)
	found, err = e.svc.ByExternalRef(e.ctx, ref)
	require.NoError(t, err)
	require.Equal(t, c.ID, found.ID)
	require.Equal(t, int64(2), found.Version)

	// A second customer with it is refused (before its national id is
	// looked at) and nothing is created.
	other := traveller(1)
	other.ExternalRef = ref
	_, err = e.svc.Create(e.ctx, other)
	requireRefTaken(t, err, c.ID)
	dup := zhang()
	dup.ExternalRef = ref
	_, err = e.svc.Create(e.ctx, dup)
	requireRefTaken(t, err, c.ID)
	require.Equal(t, 1, e.count())

	other.ExternalRef = customer.ExternalRef{Client: "teller-2", Ref: "crm-0042"}
	o := e.create(other)
	found, err = e.svc.ByExternalRef(e.ctx, other.ExternalRef)
	require.NoError(t, err)
	require.Equal(t, o.ID, found.ID)
	_, err = e.svc.ByExternalRef(e.ctx, customer.ExternalRef{Client: "teller-3", Ref: "crm-0042"})
	require.ErrorIs(t, err, customer.ErrNotFound)

	// The creation event carries it.
	evs := e.events()
	require.Len(t, evs, 2) // the two creations
	var payload customer.CustomerCreated
	require.NoError(t, json.Unmarshal(evs[0].Payload, &payload))
	require.Equal(t, c.ID, payload.CustomerID)
	require.Equal(t, "crm-0042", payload.ExternalRef)

	for _, bad := range []customer.ExternalRef{
		{Client: "teller-1", Ref: "crm\x00"},
		{Client: "teller-1", Ref: strings.Repeat("r", customer.MaxExternalRef+1)},
		{Ref: "no client"},
		{Client: "teller-1"},
	} {
		n := traveller(2)
		n.ExternalRef = bad
		_, err := e.svc.Create(e.ctx, n)
		require.ErrorIs(t, err, customer.ErrInvalidInput, "%q", bad)
		_, err = e.svc.ByExternalRef(e.ctx, bad)
		require.ErrorIs(t, err, customer.ErrInvalidInput, "%q", bad)
	}
	require.Equal(t, 2, e.count())
}

// Eight creations of different people with one reference at once: one is
// created, the others are refused naming it.
func testConcurrentExternalRefs(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	const n = 8
	ref := customer.ExternalRef{Client: "teller-1", Ref: "race"}
	ids := make([]customer.ID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := traveller(10 + i)
			p.ExternalRef = ref
			m, err := e.svc.Create(e.ctx, p)
			ids[i], errs[i] = m.ID, err
		})
	}
	wg.Wait()
	var winner customer.ID
	for i, err := range errs {
		if err == nil {
			require.Equal(t, customer.NilID, winner, "two creations passed")
			winner = ids[i]
		}
	}
	require.NotEqual(t, customer.NilID, winner)
	for _, err := range errs {
		if err != nil {
			requireRefTaken(t, err, winner)
		}
	}
	require.Equal(t, 1, e.count())
}

func requireRefTaken(t *testing.T, err error, existing customer.ID) {
	t.Helper()
	require.ErrorIs(t, err, customer.ErrExternalRefTaken)
	var re *customer.ExternalRefError
	require.ErrorAs(t, err, &re)
	require.Equal(t, existing, re.Existing)
}
