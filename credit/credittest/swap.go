package credittest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
)

// A Store that swaps applications (credit.ApplicationSwapper) writes one
// over the version read, raising it, and refuses a stale version or
// another customer's or product's, changing nothing.
func testSwapApplication(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	sw, ok := e.store.(credit.ApplicationSwapper)
	if !ok {
		t.Log("the store does not swap applications; Score updates through UpdateApplication")
		return
	}
	p := e.product("CONSUMER")
	c := e.customer()
	a := e.submit(application(c, p.ID))
	next := a
	next.Purpose = credit.PurposeEducation
	out, err := sw.SwapApplication(e.ctx, a.ID, a.Version, next)
	require.NoError(t, err)
	require.Equal(t, a.Version+1, out.Version)
	require.Equal(t, credit.PurposeEducation, out.Purpose)

	stale := a
	stale.Purpose = credit.PurposeOther
	_, err = sw.SwapApplication(e.ctx, a.ID, a.Version, stale)
	require.ErrorIs(t, err, credit.ErrApplicationChanged)
	other := out
	other.CustomerID = credit.NewID()
	_, err = sw.SwapApplication(e.ctx, a.ID, out.Version, other)
	require.ErrorIs(t, err, credit.ErrApplicationChanged, "the customer is kept")
	_, err = sw.SwapApplication(e.ctx, credit.NewID(), 1, out)
	require.ErrorIs(t, err, credit.ErrNotFound)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, out.Version, got.Version)
	require.Equal(t, credit.PurposeEducation, got.Purpose, "nothing changed by the refusals")
}
