package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var idempotencyTests = []test{
	{"ReplaySameRequest", testReplaySame},
	{"ConflictDifferentRequest", testConflict},
	{"KeysAreScopedByOperation", testKeyScopes},
	{"ReplayAfterStateChanged", testReplayAfterStateChanged},
	{"RefusedRequestKeepsKeyFree", testRefusedKeepsKeyFree},
	{"HoldKeys", testHoldKeys},
}

func testReplaySame(t *testing.T, f *fixture) {
	a, b := f.open("alice"), f.open("bob")
	f.deposit(a.ID, "100.00")
	req := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("25.00"),
		Description: "rent", Metadata: map[string]string{"m": "3"}, IdempotencyKey: "rent-march"}
	first, err := f.svc.Transfer(f.ctx, req)
	require.NoError(t, err)
	require.False(t, first.Replayed)
	second, err := f.svc.Transfer(f.ctx, req)
	require.NoError(t, err)
	require.True(t, second.Replayed)
	require.Equal(t, first.Entry.ID, second.Entry.ID)
	require.Equal(t, "rent-march", second.Entry.IdempotencyKey[len("transfer/"):])
	f.requireBalance(a.ID, "75.00")
	f.requireBalance(b.ID, "25.00")
	require.Equal(t, 1, f.lineCount(b.ID))

	// Later clock readings do not make it a different request.
	f.clock.Advance(3600e9)
	third, err := f.svc.Transfer(f.ctx, req)
	require.NoError(t, err)
	require.True(t, third.Replayed)
	require.True(t, third.Entry.BookedAt.Equal(first.Entry.BookedAt), "the replay returns the first result")
}

func testConflict(t *testing.T, f *fixture) {
	a, b, c := f.open("alice"), f.open("bob"), f.open("carol")
	f.deposit(a.ID, "100.00")
	base := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("25.00"), IdempotencyKey: "k1"}
	_, err := f.svc.Transfer(f.ctx, base)
	require.NoError(t, err)
	variants := map[string]func(r *ledger.TransferRequest){
		"amount":      func(r *ledger.TransferRequest) { r.Amount = cny("25.01") },
		"to":          func(r *ledger.TransferRequest) { r.ToAccountID = c.ID },
		"description": func(r *ledger.TransferRequest) { r.Description = "other" },
		"metadata":    func(r *ledger.TransferRequest) { r.Metadata = map[string]string{"x": "y"} },
		"value date":  func(r *ledger.TransferRequest) { r.ValueDate = f.today.AddDays(-1) },
	}
	for name, edit := range variants {
		r := base
		edit(&r)
		_, err := f.svc.Transfer(f.ctx, r)
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict, name)
	}
	f.requireBalance(a.ID, "75.00")
	f.requireBalance(c.ID, "0.00")
}

func testKeyScopes(t *testing.T, f *fixture) {
	a, b := f.open("alice"), f.open("bob")
	dep, err := f.svc.Deposit(f.ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("50.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	tr, err := f.svc.Transfer(f.ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("5.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	require.False(t, tr.Replayed)
	require.NotEqual(t, dep.Entry.ID, tr.Entry.ID)
	w, err := f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("50.00"), IdempotencyKey: "same"})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "a withdrawal, not a replayed deposit: got %+v", w)
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00"), IdempotencyKey: "same"})
	require.NoError(t, err)
	require.False(t, h.Replayed)
	f.requireBalance(a.ID, "45.00", "44.00")
}

func testReplayAfterStateChanged(t *testing.T, f *fixture) {
	a, shop := f.open("alice"), f.open("shop")
	f.deposit(a.ID, "100.00")
	// A replayed withdrawal is answered even though the balance no longer
	// covers it: the answer is the first one.
	w := ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("60.00"), IdempotencyKey: "w1"}
	_, err := f.svc.Withdraw(f.ctx, w)
	require.NoError(t, err)
	again, err := f.svc.Withdraw(f.ctx, w)
	require.NoError(t, err)
	require.True(t, again.Replayed)
	f.requireBalance(a.ID, "40.00")

	// A replayed capture after the hold was consumed.
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	c := ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, IdempotencyKey: "c1"}
	first, err := f.svc.CaptureHold(f.ctx, c)
	require.NoError(t, err)
	replay, err := f.svc.CaptureHold(f.ctx, c)
	require.NoError(t, err)
	require.True(t, replay.Replayed)
	require.Equal(t, first.Entry.ID, replay.Entry.ID)

	// A replayed reversal after the entry was reversed.
	rv := ledger.ReversalRequest{EntryID: first.Entry.ID, IdempotencyKey: "r1"}
	rev, err := f.svc.Reverse(f.ctx, rv)
	require.NoError(t, err)
	rev2, err := f.svc.Reverse(f.ctx, rv)
	require.NoError(t, err)
	require.True(t, rev2.Replayed)
	require.Equal(t, rev.Entry.ID, rev2.Entry.ID)
	f.requireBalance(a.ID, "40.00")
	f.requireBalance(shop.ID, "0.00")
}

func testRefusedKeepsKeyFree(t *testing.T, f *fixture) {
	a := f.open("alice")
	w := ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("5.00"), IdempotencyKey: "retry-me"}
	_, err := f.svc.Withdraw(f.ctx, w)
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	f.deposit(a.ID, "5.00")
	// The refused attempt did not consume the key: the retry posts.
	r, err := f.svc.Withdraw(f.ctx, w)
	require.NoError(t, err)
	require.False(t, r.Replayed)
	f.requireBalance(a.ID, "0.00")
}

func testHoldKeys(t *testing.T, f *fixture) {
	a := f.open("alice")
	f.deposit(a.ID, "100.00")
	r := ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00"), IdempotencyKey: "auth-1"}
	first, err := f.svc.PlaceHold(f.ctx, r)
	require.NoError(t, err)
	second, err := f.svc.PlaceHold(f.ctx, r)
	require.NoError(t, err)
	require.True(t, second.Replayed)
	require.Equal(t, first.Hold.ID, second.Hold.ID)
	f.requireBalance(a.ID, "100.00", "70.00")
	r.Amount = cny("31.00")
	_, err = f.svc.PlaceHold(f.ctx, r)
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	f.requireBalance(a.ID, "100.00", "70.00")
}
