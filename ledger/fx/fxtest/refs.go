package fxtest

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var refTests = []test{
	{Name: "a conversion carries the client's external reference on its entry", Run: func(t *testing.T, f *fixture) {
		ref := ledger.ExternalRef{Client: "app", Ref: "fx-order-1"}
		r, err := f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
			Amount: m("100.00", money.USD), IdempotencyKey: "k1", ExternalRef: ref})
		require.NoError(t, err)
		require.Equal(t, ref, r.Conversion.ExternalRef)
		e, err := f.Svc.EntryByRef(f.Ctx, ref)
		require.NoError(t, err)
		require.Equal(t, r.Conversion.EntryID, e.ID, "found by the client's reference")
		require.Equal(t, ref, e.ExternalRef)
		got, err := f.fx.Conversion(f.Ctx, r.Conversion.ID)
		require.NoError(t, err)
		require.Equal(t, ref, got.ExternalRef, "kept on the record")

		// The same request again is a replay; the reference is its own.
		again, err := f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
			Amount: m("100.00", money.USD), IdempotencyKey: "k1", ExternalRef: ref})
		require.NoError(t, err)
		require.True(t, again.Replayed)
		require.Equal(t, r.Conversion.ID, again.Conversion.ID)
		// Another reference under the same key is another request.
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
			Amount: m("100.00", money.USD), IdempotencyKey: "k1", ExternalRef: ledger.ExternalRef{Client: "app", Ref: "fx-order-2"}})
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)

		// The entry's event names the reference.
		var found bool
		for _, ev := range f.events(t) {
			if ev.Type == ledger.EventEntryPosted && ev.ID.String() == e.ID.String() {
				require.Contains(t, string(ev.Payload), `"fx-order-1"`)
				found = true
			}
		}
		require.True(t, found, "the conversion's entry_posted event")
	}},
	{Name: "a taken reference refuses the conversion and takes no quota", Run: func(t *testing.T, f *fixture) {
		ref := ledger.ExternalRef{Client: "app", Ref: "taken"}
		_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: f.cny.ID, Amount: m("1.00", money.CNY), ExternalRef: ref})
		require.NoError(t, err)
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
			Amount: m("100.00", money.USD), ExternalRef: ref})
		require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
		var taken *ledger.ExternalRefError
		require.True(t, errors.As(err, &taken), "names the entry that has it")
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.IsZero(), "no quota taken")
		require.Equal(t, "100000.00", f.balance(f.usd.ID), "nothing moved")

		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
			Amount: m("100.00", money.USD), ExternalRef: ledger.ExternalRef{Client: "app", Ref: "bad\x00ref"}})
		requireField(t, err, ledger.ErrInvalidInput, "external_ref")
	}},
	{Name: "of concurrent conversions with one reference exactly one posts", Run: func(t *testing.T, f *fixture) {
		ref := ledger.ExternalRef{Client: "app", Ref: "race"}
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID,
					Amount: m("100.00", money.USD), ExternalRef: ref})
			}()
		}
		wg.Wait()
		posted := 0
		for _, err := range errs {
			if err == nil {
				posted++
				continue
			}
			require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
		}
		require.Equal(t, 1, posted)
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.Equal(t, "100.00 USD", used.String(), "the refused ones gave their quota back")
		require.Equal(t, "99900.00", f.balance(f.usd.ID))
	}},
}

// events are the ledger's events so far.
func (f *fixture) events(t *testing.T) []event.Envelope {
	t.Helper()
	evs, err := f.Svc.Events().Read(f.Ctx, 0, 500)
	require.NoError(t, err)
	return evs
}

// balance is an account's balance as a string.
func (f *fixture) balance(id ledger.ID) string {
	f.T.Helper()
	a, err := f.Svc.Account(f.Ctx, id)
	require.NoError(f.T, err)
	return a.Balance.Amount.StringFixed(2)
}
