package ledgertest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

var objectEventTests = []test{
	{Name: "AccountEventsWithTheirChanges", Run: testAccountEvents},
	{Name: "HoldEventsWithTheirChanges", Run: testHoldEvents},
	{Name: "RefusedChangesPublishNothing", Run: testRefusedObjectEvents},
}

// eventsAfter returns the events after the first n.
func (f *fixture) eventsAfter(n int) []event.Envelope {
	f.T.Helper()
	return f.events()[n:]
}

// decodeStrict decodes an event's payload into v, refusing unknown fields.
func decodeStrict(t *testing.T, e event.Envelope, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(e.Payload))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}

func accountEvent(t *testing.T, e event.Envelope, typ string) ledger.AccountEvent {
	t.Helper()
	require.Equal(t, typ, e.Type)
	require.Equal(t, ledger.AccountEventVersion, e.Version)
	require.NoError(t, e.Validate())
	var p ledger.AccountEvent
	decodeStrict(t, e, &p)
	require.Equal(t, []ledger.ID{p.AccountID}, e.Subjects)
	return p
}

func holdEvent(t *testing.T, e event.Envelope, typ string) ledger.HoldEvent {
	t.Helper()
	require.Equal(t, typ, e.Type)
	require.Equal(t, ledger.HoldEventVersion, e.Version)
	require.NoError(t, e.Validate())
	var p ledger.HoldEvent
	decodeStrict(t, e, &p)
	require.Equal(t, []ledger.ID{p.AccountID, p.HoldID}, e.Subjects)
	return p
}

// An account's opening and each change of its status are events, in the
// order of the changes, carrying its ids, class, currency, limits and the
// client's reference, and neither its number nor any free text.
func testAccountEvents(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	n := len(f.events())
	ref := ledger.ExternalRef{Client: "app/1", Ref: "acct-7"}
	two := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
		Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{one.ID}, ExternalRef: ref})
	_, err := f.Svc.Freeze(f.Ctx, two.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	_, err = f.Svc.Freeze(f.Ctx, two.ID, ledger.StatusFrozen) // no change, no event
	require.NoError(t, err)
	_, err = f.Svc.Unfreeze(f.Ctx, two.ID)
	require.NoError(t, err)
	_, err = f.Svc.Close(f.Ctx, two.ID)
	require.NoError(t, err)

	evs := f.eventsAfter(n)
	require.Len(t, evs, 4, "opened, frozen, active, closed")
	opened := accountEvent(t, evs[0], ledger.EventAccountOpened)
	require.Equal(t, two.ID, opened.AccountID)
	require.Equal(t, "alice", opened.OwnerID)
	require.Equal(t, ledger.ProductDemand, opened.Product)
	require.Equal(t, money.CNY, opened.Currency)
	require.Equal(t, ledger.StatusActive, opened.Status)
	require.Empty(t, opened.PreviousStatus)
	require.Equal(t, ledger.ClassII, opened.Class)
	require.Equal(t, ref, opened.ExternalRef)
	require.Equal(t, []ledger.ID{one.ID}, opened.BoundAccounts)
	require.NotNil(t, opened.Limits)
	require.Equal(t, "10000.00", opened.Limits.DailyOutflow.ValueString())
	require.Equal(t, "200000.00", opened.Limits.AnnualOutflow.ValueString())
	require.Nil(t, opened.Limits.MaxBalance)
	require.Equal(t, f.Today.String(), opened.OpenedOn)
	require.Equal(t, f.Today, evs[0].BusinessDate)
	require.Equal(t, two.CreatedAt.UTC().Truncate(time.Microsecond), evs[0].OccurredAt)
	require.NotContains(t, string(evs[0].Payload), two.Number, "no account number")

	for i, want := range []struct{ from, to ledger.Status }{
		{ledger.StatusActive, ledger.StatusFrozen},
		{ledger.StatusFrozen, ledger.StatusActive},
		{ledger.StatusActive, ledger.StatusClosed},
	} {
		p := accountEvent(t, evs[i+1], ledger.EventAccountStatusChanged)
		require.Equal(t, two.ID, p.AccountID)
		require.Equal(t, want.from, p.PreviousStatus, "change %d", i)
		require.Equal(t, want.to, p.Status, "change %d", i)
		require.Equal(t, ledger.ClassII, p.Class)
		require.Equal(t, ref, p.ExternalRef)
		require.Greater(t, evs[i+1].Sequence, evs[i].Sequence)
	}
}

// A hold's placing, capture, release and expiry are events, in the order
// of the changes; a capture's comes after its entry's.
func testHoldEvents(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	n := len(f.events())
	ref := ledger.ExternalRef{Client: "app/1", Ref: "auth-1"}
	h1, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00"), ExternalRef: ref,
		Description: "hotel for Zhang Wei"})
	require.NoError(t, err)
	capture, err := f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h1.Hold.ID, ToAccountID: b.ID, Amount: cny("20.00")})
	require.NoError(t, err)
	h2, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	_, err = f.Svc.ReleaseHold(f.Ctx, h2.Hold.ID)
	require.NoError(t, err)
	_, err = f.Svc.ReleaseHold(f.Ctx, h2.Hold.ID) // released already: no event
	require.NoError(t, err)
	expiry := f.Clock.Now().Add(time.Hour)
	h3, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("5.00"), ExpiresAt: expiry})
	require.NoError(t, err)
	expired, err := f.Svc.ExpireHolds(f.Ctx, expiry)
	require.NoError(t, err)
	require.Len(t, expired, 1)
	// CaptureHolds captures through the same path.
	h4, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("7.00")})
	require.NoError(t, err)
	batch, err := f.Svc.CaptureHolds(f.Ctx, []ledger.HeldCapture{{AccountID: a.ID,
		CaptureRequest: ledger.CaptureRequest{HoldID: h4.Hold.ID, ToAccountID: b.ID, Amount: cny("7.00")}}})
	require.NoError(t, err)
	require.NoError(t, batch[0].Err)

	evs := f.eventsAfter(n)
	types := make([]string, len(evs))
	for i, e := range evs {
		types[i] = e.Type
	}
	require.Equal(t, []string{ledger.EventHoldPlaced, ledger.EventEntryPosted, ledger.EventHoldCaptured,
		ledger.EventHoldPlaced, ledger.EventHoldReleased, ledger.EventHoldPlaced, ledger.EventHoldExpired,
		ledger.EventHoldPlaced, ledger.EventEntryPosted, ledger.EventHoldCaptured}, types)

	placed := holdEvent(t, evs[0], ledger.EventHoldPlaced)
	require.Equal(t, h1.Hold.ID, placed.HoldID)
	require.Equal(t, a.ID, placed.AccountID)
	require.Equal(t, "30.00", placed.Amount.ValueString())
	require.Equal(t, money.CNY, placed.Amount.Currency)
	require.Equal(t, ledger.HoldActive, placed.Status)
	require.Equal(t, ref, placed.ExternalRef)
	require.Nil(t, placed.ExpiresAt)
	require.Nil(t, placed.Captured)
	require.Equal(t, h1.Hold.CreatedAt.UTC().Truncate(time.Microsecond), evs[0].OccurredAt)
	require.NotContains(t, string(evs[0].Payload), "Zhang", "no description")

	require.Equal(t, capture.Entry.ID, evs[1].ID)
	captured := holdEvent(t, evs[2], ledger.EventHoldCaptured)
	require.Equal(t, h1.Hold.ID, captured.HoldID)
	require.Equal(t, ledger.HoldCaptured, captured.Status)
	require.Equal(t, "30.00", captured.Amount.ValueString())
	require.NotNil(t, captured.Captured)
	require.Equal(t, "20.00", captured.Captured.ValueString())
	require.Equal(t, capture.Entry.ID, captured.CaptureEntryID)
	require.Equal(t, ref, captured.ExternalRef)

	released := holdEvent(t, evs[4], ledger.EventHoldReleased)
	require.Equal(t, h2.Hold.ID, released.HoldID)
	require.Equal(t, ledger.HoldReleased, released.Status)
	require.Empty(t, released.ExternalRef)

	placed3 := holdEvent(t, evs[5], ledger.EventHoldPlaced)
	require.NotNil(t, placed3.ExpiresAt)
	require.True(t, expiry.Equal(*placed3.ExpiresAt))
	exp := holdEvent(t, evs[6], ledger.EventHoldExpired)
	require.Equal(t, h3.Hold.ID, exp.HoldID)
	require.Equal(t, ledger.HoldExpired, exp.Status)
	require.True(t, expiry.Equal(evs[6].OccurredAt), "expired at the sweep's time")

	require.Equal(t, batch[0].Entry.ID, evs[8].ID)
	c4 := holdEvent(t, evs[9], ledger.EventHoldCaptured)
	require.Equal(t, h4.Hold.ID, c4.HoldID)
	require.Equal(t, batch[0].Entry.ID, c4.CaptureEntryID)
}

// A refused opening, status change, hold, capture or release publishes
// nothing, and neither does a replay.
func testRefusedObjectEvents(t *testing.T, f *fixture) {
	ref := ledger.ExternalRef{Client: "app/1", Ref: "acct-1"}
	a := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
		ExternalRef: ref, IdempotencyKey: "open-1"})
	one := openClass(f, "alice", ledger.ClassI)
	f.Deposit(a.ID, "10.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("4.00"), IdempotencyKey: "h-1"})
	require.NoError(t, err)
	_, err = f.Svc.ReleaseHold(f.Ctx, h.Hold.ID)
	require.NoError(t, err)
	n := len(f.events())

	// Replays.
	_, err = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
		ExternalRef: ref, IdempotencyKey: "open-1"})
	require.NoError(t, err)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("4.00"), IdempotencyKey: "h-1"})
	require.NoError(t, err)
	// Refusals.
	_, err = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "bob", Product: ledger.ProductDemand, Currency: money.CNY, ExternalRef: ref})
	require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
	_, err = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY, Class: ledger.ClassI})
	require.ErrorIs(t, err, ledger.ErrClassOneHeld)
	_, err = f.Svc.Close(f.Ctx, a.ID)
	require.ErrorIs(t, err, ledger.ErrAccountNotEmpty)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: one.ID})
	require.ErrorIs(t, err, ledger.ErrHoldNotActive)
	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusActive)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)

	require.Len(t, f.eventsAfter(n), 0, "refusals and replays publish nothing")
}
