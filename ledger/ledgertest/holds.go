package ledgertest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var holdTests = []test{
	{"HoldReducesAvailable", testHoldReducesAvailable},
	{"CapturePartHold", testCapturePart},
	{"CaptureWholeHold", testCaptureWhole},
	{"HoldErrors", testHoldErrors},
	{"CaptureErrors", testCaptureErrors},
	{"ExpireHolds", testExpireHolds},
}

func testHoldReducesAvailable(t *testing.T, f *fixture) {
	a := f.open("alice")
	f.deposit(a.ID, "100.00")
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("70.00"), Description: "hotel"})
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, h.Hold.Status)
	require.Equal(t, a.ID, h.Hold.AccountID)
	f.requireBalance(a.ID, "100.00", "30.00")

	_, err = f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("30.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "held money cannot be spent")
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "nor held twice")

	active, err := f.svc.Holds(f.ctx, a.ID, true)
	require.NoError(t, err)
	require.Len(t, active, 1)
	require.Equal(t, h.Hold.ID, active[0].ID)

	released, err := f.svc.ReleaseHold(f.ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldReleased, released.Status)
	f.requireBalance(a.ID, "100.00", "100.00")
	again, err := f.svc.ReleaseHold(f.ctx, h.Hold.ID)
	require.NoError(t, err, "releasing twice is harmless")
	require.Equal(t, ledger.HoldReleased, again.Status)
	f.requireBalance(a.ID, "100.00", "100.00")

	active, err = f.svc.Holds(f.ctx, a.ID, true)
	require.NoError(t, err)
	require.Empty(t, active)
	all, err := f.svc.Holds(f.ctx, a.ID, false)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testCapturePart(t *testing.T, f *fixture) {
	a, shop := f.open("alice"), f.open("shop")
	f.deposit(a.ID, "100.00")
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("60.00")})
	require.NoError(t, err)
	r, err := f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, Amount: cny("45.00")})
	require.NoError(t, err)
	require.Equal(t, ledger.KindCapture, r.Entry.Kind)
	require.Equal(t, h.Hold.ID, r.Entry.HoldID)
	// 100 - 45 captured; the other 15 of the hold is released.
	f.requireBalance(a.ID, "55.00", "55.00")
	f.requireBalance(shop.ID, "45.00")

	got, err := f.svc.Hold(f.ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldCaptured, got.Status)
	require.Equal(t, r.Entry.ID, got.CaptureEntryID)
	require.Equal(t, "45.00", got.Captured.ValueString())

	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive, "a hold is captured once")
	_, err = f.svc.ReleaseHold(f.ctx, h.Hold.ID)
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)
	f.requireBalance(shop.ID, "45.00")
	f.requireTrialBalanced()
}

func testCaptureWhole(t *testing.T, f *fixture) {
	a, shop := f.open("alice"), f.open("shop")
	f.deposit(a.ID, "80.00")
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("80.00")})
	require.NoError(t, err)
	f.requireBalance(a.ID, "80.00", "0.00")
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID})
	require.NoError(t, err, "the hold itself covers its capture")
	f.requireBalance(a.ID, "0.00", "0.00")
	f.requireBalance(shop.ID, "80.00")
	got, err := f.svc.Hold(f.ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, "80.00", got.Captured.ValueString())
}

func testHoldErrors(t *testing.T, f *fixture) {
	a := f.open("alice")
	f.deposit(a.ID, "10.00")
	_, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: ledger.NewID(), Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: f.vault.ID, Amount: cny("1.00")})
	requireInvalid(t, err, "account_id")
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("0.00")})
	requireInvalid(t, err, "amount")
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00"), ExpiresAt: start.Add(-time.Hour)})
	requireInvalid(t, err, "expires_at")
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: ledger.NilID, Amount: cny("1.00")})
	requireInvalid(t, err, "account_id")
	_, err = f.svc.Freeze(f.ctx, a.ID, ledger.StatusFrozenDebits)
	require.NoError(t, err)
	_, err = f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	f.requireBalance(a.ID, "10.00", "10.00")

	_, err = f.svc.Hold(f.ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.ReleaseHold(f.ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.Holds(f.ctx, ledger.NewID(), false)
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

func testCaptureErrors(t *testing.T, f *fixture) {
	a, shop := f.open("alice"), f.open("shop")
	f.deposit(a.ID, "50.00")
	h, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00")})
	require.NoError(t, err)
	id := h.Hold.ID

	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID, Amount: cny("20.01")})
	requireInvalid(t, err, "amount")
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: a.ID})
	requireInvalid(t, err, "to_account_id")
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: ledger.NewID(), ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: ledger.NewID()})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.Freeze(f.ctx, shop.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)

	// Every refusal left the hold active and the money where it was.
	got, err := f.svc.Hold(f.ctx, id)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, got.Status)
	f.requireBalance(a.ID, "50.00", "30.00")
	f.requireBalance(shop.ID, "0.00")

	_, err = f.svc.ReleaseHold(f.ctx, id)
	require.NoError(t, err)
	_, err = f.svc.Unfreeze(f.ctx, shop.ID)
	require.NoError(t, err)
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive, "a released hold cannot be captured")
	f.requireBalance(shop.ID, "0.00")
}

func testExpireHolds(t *testing.T, f *fixture) {
	a, shop := f.open("alice"), f.open("shop")
	f.deposit(a.ID, "100.00")
	soon, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00"), ExpiresAt: start.Add(time.Hour)})
	require.NoError(t, err)
	later, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00"), ExpiresAt: start.Add(48 * time.Hour)})
	require.NoError(t, err)
	never, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00")})
	require.NoError(t, err)
	f.requireBalance(a.ID, "100.00", "40.00")

	expired, err := f.svc.ExpireHolds(f.ctx, start.Add(30*time.Minute))
	require.NoError(t, err)
	require.Empty(t, expired)

	// Past its expiry but not yet swept: it still holds money, yet it can
	// no longer be captured.
	f.clock.Set(start.Add(2 * time.Hour))
	_, err = f.svc.CaptureHold(f.ctx, ledger.CaptureRequest{HoldID: soon.Hold.ID, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)

	expired, err = f.svc.ExpireHolds(f.ctx, start.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, expired, 1)
	require.Equal(t, soon.Hold.ID, expired[0].ID)
	require.Equal(t, ledger.HoldExpired, expired[0].Status)
	f.requireBalance(a.ID, "100.00", "50.00")
	_, err = f.svc.ReleaseHold(f.ctx, soon.Hold.ID)
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)

	expired, err = f.svc.ExpireHolds(f.ctx, start.Add(72*time.Hour))
	require.NoError(t, err)
	require.Len(t, expired, 1)
	require.Equal(t, later.Hold.ID, expired[0].ID)
	f.requireBalance(a.ID, "100.00", "70.00")

	got, err := f.svc.Hold(f.ctx, never.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, got.Status, "a hold without expiry stays")
	_, err = f.svc.ExpireHolds(f.ctx, time.Time{})
	requireInvalid(t, err, "as_of")
}
