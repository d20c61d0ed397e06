package ledgertest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var holdTests = []test{
	{Name: "HoldReducesAvailable", Run: testHoldReducesAvailable},
	{Name: "CapturePartHold", Run: testCapturePart},
	{Name: "CaptureWholeHold", Run: testCaptureWhole},
	{Name: "HoldErrors", Run: testHoldErrors},
	{Name: "CaptureErrors", Run: testCaptureErrors},
	{Name: "ExpireHolds", Run: testExpireHolds},
}

func testHoldReducesAvailable(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("70.00"), Description: "hotel"})
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, h.Hold.Status)
	require.Equal(t, a.ID, h.Hold.AccountID)
	f.RequireBalance(a.ID, "100.00", "30.00")

	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("30.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "held money cannot be spent")
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "nor held twice")

	active, err := f.Svc.Holds(f.Ctx, a.ID, true)
	require.NoError(t, err)
	require.Len(t, active, 1)
	require.Equal(t, h.Hold.ID, active[0].ID)

	released, err := f.Svc.ReleaseHold(f.Ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldReleased, released.Status)
	f.RequireBalance(a.ID, "100.00", "100.00")
	again, err := f.Svc.ReleaseHold(f.Ctx, h.Hold.ID)
	require.NoError(t, err, "releasing twice is harmless")
	require.Equal(t, ledger.HoldReleased, again.Status)
	f.RequireBalance(a.ID, "100.00", "100.00")

	active, err = f.Svc.Holds(f.Ctx, a.ID, true)
	require.NoError(t, err)
	require.Empty(t, active)
	all, err := f.Svc.Holds(f.Ctx, a.ID, false)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testCapturePart(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "100.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("60.00")})
	require.NoError(t, err)
	r, err := f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, Amount: cny("45.00")})
	require.NoError(t, err)
	require.Equal(t, ledger.KindCapture, r.Entry.Kind)
	require.Equal(t, h.Hold.ID, r.Entry.HoldID)
	// 100 - 45 captured; the other 15 of the hold is released.
	f.RequireBalance(a.ID, "55.00", "55.00")
	f.RequireBalance(shop.ID, "45.00")

	got, err := f.Svc.Hold(f.Ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldCaptured, got.Status)
	require.Equal(t, r.Entry.ID, got.CaptureEntryID)
	require.Equal(t, "45.00", got.Captured.ValueString())

	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive, "a hold is captured once")
	_, err = f.Svc.ReleaseHold(f.Ctx, h.Hold.ID)
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)
	f.RequireBalance(shop.ID, "45.00")
	f.RequireTrialBalanced()
}

func testCaptureWhole(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "80.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("80.00")})
	require.NoError(t, err)
	f.RequireBalance(a.ID, "80.00", "0.00")
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID})
	require.NoError(t, err, "the hold itself covers its capture")
	f.RequireBalance(a.ID, "0.00", "0.00")
	f.RequireBalance(shop.ID, "80.00")
	got, err := f.Svc.Hold(f.Ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, "80.00", got.Captured.ValueString())
}

func testHoldErrors(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "10.00")
	_, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: ledger.NewID(), Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: f.Vault.ID, Amount: cny("1.00")})
	requireInvalid(t, err, "account_id")
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("0.00")})
	requireInvalid(t, err, "amount")
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00"), ExpiresAt: start.Add(-time.Hour)})
	requireInvalid(t, err, "expires_at")
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: ledger.NilID, Amount: cny("1.00")})
	requireInvalid(t, err, "account_id")
	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozenDebits)
	require.NoError(t, err)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	f.RequireBalance(a.ID, "10.00", "10.00")

	_, err = f.Svc.Hold(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.ReleaseHold(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Holds(f.Ctx, ledger.NewID(), false)
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

func testCaptureErrors(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "50.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00")})
	require.NoError(t, err)
	id := h.Hold.ID

	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID, Amount: cny("20.01")})
	requireInvalid(t, err, "amount")
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: a.ID})
	requireInvalid(t, err, "to_account_id")
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: ledger.NewID(), ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: ledger.NewID()})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Freeze(f.Ctx, shop.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)

	// Every refusal left the hold active and the money where it was.
	got, err := f.Svc.Hold(f.Ctx, id)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, got.Status)
	f.RequireBalance(a.ID, "50.00", "30.00")
	f.RequireBalance(shop.ID, "0.00")

	_, err = f.Svc.ReleaseHold(f.Ctx, id)
	require.NoError(t, err)
	_, err = f.Svc.Unfreeze(f.Ctx, shop.ID)
	require.NoError(t, err)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: id, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive, "a released hold cannot be captured")
	f.RequireBalance(shop.ID, "0.00")
}

func testExpireHolds(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "100.00")
	soon, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00"), ExpiresAt: start.Add(time.Hour)})
	require.NoError(t, err)
	later, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00"), ExpiresAt: start.Add(48 * time.Hour)})
	require.NoError(t, err)
	never, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00")})
	require.NoError(t, err)
	f.RequireBalance(a.ID, "100.00", "40.00")

	expired, err := f.Svc.ExpireHolds(f.Ctx, start.Add(30*time.Minute))
	require.NoError(t, err)
	require.Empty(t, expired)

	// Past its expiry but not yet swept: it still holds money, yet it can
	// no longer be captured.
	f.Clock.Set(start.Add(2 * time.Hour))
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: soon.Hold.ID, ToAccountID: shop.ID})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)

	expired, err = f.Svc.ExpireHolds(f.Ctx, start.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, expired, 1)
	require.Equal(t, soon.Hold.ID, expired[0].ID)
	require.Equal(t, ledger.HoldExpired, expired[0].Status)
	f.RequireBalance(a.ID, "100.00", "50.00")
	_, err = f.Svc.ReleaseHold(f.Ctx, soon.Hold.ID)
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)

	expired, err = f.Svc.ExpireHolds(f.Ctx, start.Add(72*time.Hour))
	require.NoError(t, err)
	require.Len(t, expired, 1)
	require.Equal(t, later.Hold.ID, expired[0].ID)
	f.RequireBalance(a.ID, "100.00", "70.00")

	got, err := f.Svc.Hold(f.Ctx, never.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, got.Status, "a hold without expiry stays")
	_, err = f.Svc.ExpireHolds(f.Ctx, time.Time{})
	requireInvalid(t, err, "as_of")
}
