package ledgertest

import (
	"strings"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var externalRefTests = []test{
	{Name: "AccountExternalRefs", Run: testAccountRefs},
	{Name: "HoldExternalRefs", Run: testHoldRefs},
	{Name: "ExternalRefRace", Run: testExternalRefRace},
}

// requireRefTaken checks that err refuses a reference existing has.
func requireRefTaken(t *testing.T, err error, existing ledger.ID) {
	t.Helper()
	require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
	var re *ledger.ExternalRefError
	require.ErrorAs(t, err, &re)
	require.Equal(t, existing, re.Existing)
}

func testAccountRefs(t *testing.T, f *fixture) {
	ref := ledger.ExternalRef{Client: "teller-1", Ref: "crm-42"}
	open := func(owner string, r ledger.ExternalRef, key string) (ledger.Account, error) {
		return f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: owner, Product: ledger.ProductDemand,
			Currency: money.CNY, ExternalRef: r, IdempotencyKey: key})
	}
	a, err := open("alice", ref, "k1")
	require.NoError(t, err)
	require.Equal(t, ref, a.ExternalRef)
	require.Equal(t, ref, f.Account(a.ID).ExternalRef)
	found, err := f.Svc.AccountByRef(f.Ctx, ref)
	require.NoError(t, err)
	require.Equal(t, a.ID, found.ID)

	// The same request again is a replay, not a second use of the reference.
	again, err := open("alice", ref, "k1")
	require.NoError(t, err)
	require.Equal(t, a.ID, again.ID)
	// Another account with it is refused, naming the first; nothing opens.
	_, err = open("bob", ref, "k2")
	requireRefTaken(t, err, a.ID)
	_, err = open("bob", ref, "")
	requireRefTaken(t, err, a.ID)
	listed, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: "bob"})
	require.NoError(t, err)
	require.Empty(t, listed)
	// Another client's "crm-42" is another reference.
	other, err := open("bob", ledger.ExternalRef{Client: "teller-2", Ref: "crm-42"}, "")
	require.NoError(t, err)
	found, err = f.Svc.AccountByRef(f.Ctx, ledger.ExternalRef{Client: "teller-2", Ref: "crm-42"})
	require.NoError(t, err)
	require.Equal(t, other.ID, found.ID)

	_, err = f.Svc.AccountByRef(f.Ctx, ledger.ExternalRef{Client: "teller-3", Ref: "crm-42"})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	for _, bad := range []ledger.ExternalRef{
		{Client: "teller-1", Ref: "crm\x00"},
		{Client: "teller-1", Ref: strings.Repeat("r", ledger.MaxExternalRef+1)},
		{Ref: "no client"},
		{Client: "teller-1"},
	} {
		_, err := open("carol", bad, "")
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "%q", bad)
		_, err = f.Svc.AccountByRef(f.Ctx, bad)
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "%q", bad)
	}
	_, err = f.Svc.AccountByRef(f.Ctx, ledger.ExternalRef{})
	requireInvalid(t, err, "external_ref")
}

func testHoldRefs(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	ref := ledger.ExternalRef{Client: "shop", Ref: "order-7"}
	place := func(amount, key string) (ledger.HoldReceipt, error) {
		return f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny(amount), ExternalRef: ref, IdempotencyKey: key})
	}
	h, err := place("10.00", "h1")
	require.NoError(t, err)
	require.Equal(t, ref, h.Hold.ExternalRef)
	found, err := f.Svc.HoldByRef(f.Ctx, ref)
	require.NoError(t, err)
	require.Equal(t, h.Hold.ID, found.ID)
	require.Equal(t, ref, found.ExternalRef)

	replay, err := place("10.00", "h1")
	require.NoError(t, err)
	require.True(t, replay.Replayed)
	// A second hold with the reference is refused before its funds are
	// looked at, and holds nothing.
	_, err = place("1000.00", "h2")
	requireRefTaken(t, err, h.Hold.ID)
	f.RequireBalance(a.ID, "100.00", "90.00")
	_, err = f.Svc.HoldByRef(f.Ctx, ledger.ExternalRef{Client: "shop", Ref: "order-8"})
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

// Eight openings with one reference at once: one opens, the others are
// refused naming it.
func testExternalRefRace(t *testing.T, f *fixture) {
	const n = 8
	ref := ledger.ExternalRef{Client: "teller-1", Ref: "race"}
	ids := make([]ledger.ID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a, err := f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand,
				Currency: money.CNY, ExternalRef: ref})
			ids[i], errs[i] = a.ID, err
		})
	}
	wg.Wait()
	var winner ledger.ID
	for i, err := range errs {
		if err == nil {
			require.Equal(t, ledger.NilID, winner, "two openings passed")
			winner = ids[i]
		}
	}
	require.NotEqual(t, ledger.NilID, winner)
	for _, err := range errs {
		if err != nil {
			requireRefTaken(t, err, winner)
		}
	}
}
