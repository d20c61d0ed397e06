package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var idempotencyTests = []test{
	{Name: "ReplaySameRequest", Run: testReplaySame},
	{Name: "ConflictDifferentRequest", Run: testConflict},
	{Name: "KeysAreScopedByOperation", Run: testKeyScopes},
	{Name: "ReplayAfterStateChanged", Run: testReplayAfterStateChanged},
	{Name: "RefusedRequestKeepsKeyFree", Run: testRefusedKeepsKeyFree},
	{Name: "HoldKeys", Run: testHoldKeys},
	{Name: "EntryByIdempotencyKey", Run: testEntryByKey},
}

// testEntryByKey: an entry is found by the scoped key it was posted
// under; a key nothing posted under (or a refused posting's) finds none.
func testEntryByKey(t *testing.T, f *fixture) {
	if _, ok := f.Store.(ledger.KeyedEntries); !ok {
		_, err := f.Svc.EntryByIdempotencyKey(f.Ctx, "transfer/k")
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "a store without the capability says so")
		return
	}
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	rc, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("25.00"), IdempotencyKey: "rent-april"})
	require.NoError(t, err)
	got, err := f.Svc.EntryByIdempotencyKey(f.Ctx, "transfer/rent-april")
	require.NoError(t, err)
	require.Equal(t, rc.Entry.ID, got.ID)
	require.Len(t, got.Postings, 2)
	_, err = f.Svc.EntryByIdempotencyKey(f.Ctx, "rent-april")
	require.ErrorIs(t, err, ledger.ErrNotFound, "the key as the entry holds it: scoped")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("500.00"), IdempotencyKey: "too-much"})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	_, err = f.Svc.EntryByIdempotencyKey(f.Ctx, "transfer/too-much")
	require.ErrorIs(t, err, ledger.ErrNotFound, "a refused posting left nothing")
	_, err = f.Svc.EntryByIdempotencyKey(f.Ctx, "")
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
}

func testReplaySame(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	req := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("25.00"),
		Description: "rent", Metadata: map[string]string{"m": "3"}, IdempotencyKey: "rent-march"}
	first, err := f.Svc.Transfer(f.Ctx, req)
	require.NoError(t, err)
	require.False(t, first.Replayed)
	second, err := f.Svc.Transfer(f.Ctx, req)
	require.NoError(t, err)
	require.True(t, second.Replayed)
	require.Equal(t, first.Entry.ID, second.Entry.ID)
	require.Equal(t, "rent-march", second.Entry.IdempotencyKey[len("transfer/"):])
	f.RequireBalance(a.ID, "75.00")
	f.RequireBalance(b.ID, "25.00")
	require.Equal(t, 1, f.LineCount(b.ID))

	// Later clock readings do not make it a different request.
	f.Clock.Advance(3600e9)
	third, err := f.Svc.Transfer(f.Ctx, req)
	require.NoError(t, err)
	require.True(t, third.Replayed)
	require.True(t, third.Entry.BookedAt.Equal(first.Entry.BookedAt), "the replay returns the first result")
}

func testConflict(t *testing.T, f *fixture) {
	a, b, c := f.Open("alice"), f.Open("bob"), f.Open("carol")
	f.Deposit(a.ID, "100.00")
	base := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("25.00"), IdempotencyKey: "k1"}
	_, err := f.Svc.Transfer(f.Ctx, base)
	require.NoError(t, err)
	variants := map[string]func(r *ledger.TransferRequest){
		"amount":      func(r *ledger.TransferRequest) { r.Amount = cny("25.01") },
		"to":          func(r *ledger.TransferRequest) { r.ToAccountID = c.ID },
		"description": func(r *ledger.TransferRequest) { r.Description = "other" },
		"metadata":    func(r *ledger.TransferRequest) { r.Metadata = map[string]string{"x": "y"} },
		"value date":  func(r *ledger.TransferRequest) { r.ValueDate = f.Today.AddDays(-1) },
	}
	for name, edit := range variants {
		r := base
		edit(&r)
		_, err := f.Svc.Transfer(f.Ctx, r)
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict, name)
	}
	f.RequireBalance(a.ID, "75.00")
	f.RequireBalance(c.ID, "0.00")
}

func testKeyScopes(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	dep, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("50.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	tr, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("5.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	require.False(t, tr.Replayed)
	require.NotEqual(t, dep.Entry.ID, tr.Entry.ID)
	w, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("50.00"), IdempotencyKey: "same"})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "a withdrawal, not a replayed deposit: got %+v", w)
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	require.False(t, h.Replayed)
	f.RequireBalance(a.ID, "45.00", "44.00")
}

func testReplayAfterStateChanged(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "100.00")
	// A replayed withdrawal is answered even though the balance no longer
	// covers it: the answer is the first one.
	w := ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("60.00"), IdempotencyKey: "w1"}
	_, err := f.Svc.Withdraw(f.Ctx, w)
	require.NoError(t, err)
	again, err := f.Svc.Withdraw(f.Ctx, w)
	require.NoError(t, err)
	require.True(t, again.Replayed)
	f.RequireBalance(a.ID, "40.00")

	// A replayed capture after the hold was consumed.
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	c := ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, IdempotencyKey: "c1"}
	first, err := f.Svc.CaptureHold(f.Ctx, c)
	require.NoError(t, err)
	replay, err := f.Svc.CaptureHold(f.Ctx, c)
	require.NoError(t, err)
	require.True(t, replay.Replayed)
	require.Equal(t, first.Entry.ID, replay.Entry.ID)

	// A replayed reversal after the entry was reversed.
	rv := ledger.ReversalRequest{EntryID: first.Entry.ID, IdempotencyKey: "r1"}
	rev, err := f.Svc.Reverse(f.Ctx, rv)
	require.NoError(t, err)
	rev2, err := f.Svc.Reverse(f.Ctx, rv)
	require.NoError(t, err)
	require.True(t, rev2.Replayed)
	require.Equal(t, rev.Entry.ID, rev2.Entry.ID)
	f.RequireBalance(a.ID, "40.00")
	f.RequireBalance(shop.ID, "0.00")
}

func testRefusedKeepsKeyFree(t *testing.T, f *fixture) {
	a := f.Open("alice")
	w := ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("5.00"), IdempotencyKey: "retry-me"}
	_, err := f.Svc.Withdraw(f.Ctx, w)
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	f.Deposit(a.ID, "5.00")
	// The refused attempt did not consume the key: the retry posts.
	r, err := f.Svc.Withdraw(f.Ctx, w)
	require.NoError(t, err)
	require.False(t, r.Replayed)
	f.RequireBalance(a.ID, "0.00")
}

func testHoldKeys(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	r := ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00"), IdempotencyKey: "auth-1"}
	first, err := f.Svc.PlaceHold(f.Ctx, r)
	require.NoError(t, err)
	second, err := f.Svc.PlaceHold(f.Ctx, r)
	require.NoError(t, err)
	require.True(t, second.Replayed)
	require.Equal(t, first.Hold.ID, second.Hold.ID)
	f.RequireBalance(a.ID, "100.00", "70.00")
	r.Amount = cny("31.00")
	_, err = f.Svc.PlaceHold(f.Ctx, r)
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	f.RequireBalance(a.ID, "100.00", "70.00")
}
