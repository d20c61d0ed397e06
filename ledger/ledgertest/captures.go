package ledgertest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
)

var captureTests = []test{
	{Name: "CaptureHoldsBatch", Run: testCaptureHolds},
}

// testCaptureHolds: a batch of captures posts each on its own — a wrong
// account, a capture above its hold and a captured hold are refused
// without undoing the others — and a capture replays under its key from
// CaptureHolds and CaptureHold alike.
func testCaptureHolds(t *testing.T, f *fixture) {
	a, b, shop := f.Open("alice"), f.Open("bob"), f.Open("shop")
	f.Deposit(a.ID, "100.00")
	f.Deposit(b.ID, "100.00")
	ha, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("60.00")})
	require.NoError(t, err)
	hb, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: b.ID, Amount: cny("50.00")})
	require.NoError(t, err)
	hc, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: b.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	capture := func(h ledger.Hold, acct ledger.ID, amount, key string) ledger.HeldCapture {
		return ledger.HeldCapture{AccountID: acct, CaptureRequest: ledger.CaptureRequest{HoldID: h.ID, ToAccountID: shop.ID, Amount: cny(amount), IdempotencyKey: key}}
	}
	rs, err := f.Svc.CaptureHolds(f.Ctx, []ledger.HeldCapture{
		capture(ha.Hold, a.ID, "45.00", "cap-a"),
		capture(hb.Hold, a.ID, "10.00", "cap-b-wrong"), // not the hold's account
		capture(hc.Hold, b.ID, "10.01", "cap-c-over"),  // above the hold
		capture(hb.Hold, b.ID, "50.00", "cap-b"),
		{AccountID: b.ID, CaptureRequest: ledger.CaptureRequest{HoldID: hc.Hold.ID, ToAccountID: shop.ID}}, // no amount
	})
	require.NoError(t, err)
	require.Len(t, rs, 5)
	require.NoError(t, rs[0].Err)
	require.Equal(t, ledger.KindCapture, rs[0].Entry.Kind)
	require.Equal(t, ha.Hold.ID, rs[0].Entry.HoldID)
	require.ErrorIs(t, rs[1].Err, ledger.ErrHoldNotActive)
	require.ErrorIs(t, rs[2].Err, ledger.ErrInvalidInput)
	require.NoError(t, rs[3].Err)
	requireInvalid(t, rs[4].Err, "amount.currency")
	f.RequireBalance(a.ID, "55.00", "55.00")
	f.RequireBalance(b.ID, "50.00", "40.00") // hc still holds 10.00
	f.RequireBalance(shop.ID, "95.00")

	again, err := f.Svc.CaptureHolds(f.Ctx, []ledger.HeldCapture{capture(ha.Hold, a.ID, "45.00", "cap-a"), capture(hb.Hold, b.ID, "50.00", "cap-b")})
	require.NoError(t, err)
	require.NoError(t, again[0].Err)
	require.True(t, again[0].Replayed)
	require.Equal(t, rs[0].Entry.ID, again[0].Entry.ID)
	require.True(t, again[1].Replayed)
	one, err := f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: ha.Hold.ID, ToAccountID: shop.ID, Amount: cny("45.00"), IdempotencyKey: "cap-a"})
	require.NoError(t, err, "CaptureHold replays a capture of CaptureHolds")
	require.True(t, one.Replayed)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: ha.Hold.ID, ToAccountID: shop.ID, Amount: cny("44.00"), IdempotencyKey: "cap-a"})
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	f.RequireBalance(shop.ID, "95.00")
	f.RequireTrialBalanced()
}
