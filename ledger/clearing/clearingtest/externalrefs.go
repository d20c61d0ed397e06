package clearingtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// events returns every event of the backend's ledger outbox so far.
func (f *fixture) events() int {
	f.T.Helper()
	evs, err := f.Store.Events().Read(f.Ctx, 0, 100000)
	require.NoError(f.T, err)
	return len(evs)
}

func (f *fixture) outRef(from ledger.ID, amount, key string, ref ledger.ExternalRef) (clearing.Transfer, error) {
	f.T.Helper()
	return f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{
		FromAccountID: from, Amount: cny(amount), IdempotencyKey: key, ExternalRef: ref,
		To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
	})
}

var refTests = []test{
	{Name: "outbound transfer carries the client's reference: on the transfer, its entry and the entry's event, found by it", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, friday(9, 0))
		a := f.funded("c1", "1000.00")
		ref := ledger.ExternalRef{Client: "app/1", Ref: "pay-1"}
		tr, err := f.outRef(a.ID, "300.00", "k1", ref)
		require.NoError(t, err)
		require.Equal(t, ref, tr.ExternalRef)
		got, err := f.clr.TransferByRef(f.Ctx, ref)
		require.NoError(t, err)
		require.Equal(t, tr, got)
		byID, err := f.clr.Transfer(f.Ctx, tr.ID)
		require.NoError(t, err)
		require.Equal(t, ref, byID.ExternalRef)
		e, err := f.Svc.EntryByRef(f.Ctx, ref)
		require.NoError(t, err)
		require.Equal(t, tr.EntryID, e.ID)
		require.Equal(t, ref, e.ExternalRef)
		// The entry's event names the reference.
		evs, err := f.Store.Events().Read(f.Ctx, 0, 100000)
		require.NoError(t, err)
		found := false
		for _, ev := range evs {
			if ev.ID != tr.EntryID {
				continue
			}
			var p ledger.EntryPosted
			require.NoError(t, json.Unmarshal(ev.Payload, &p))
			require.Equal(t, ref, p.ExternalRef)
			found = true
		}
		require.True(t, found, "no event for the transfer's entry")
		// Another client's "pay-1" is its own; a reference nobody used is not found.
		_, err = f.outRef(a.ID, "10.00", "k2", ledger.ExternalRef{Client: "app/2", Ref: "pay-1"})
		require.NoError(t, err)
		_, err = f.clr.TransferByRef(f.Ctx, ledger.ExternalRef{Client: "app/1", Ref: "pay-2"})
		require.ErrorIs(t, err, ledger.ErrNotFound)
		// The same key replays the first transfer, reference and all.
		again, err := f.outRef(a.ID, "300.00", "k1", ref)
		require.NoError(t, err)
		require.Equal(t, tr.ID, again.ID)
		// The same key without the reference is another request.
		_, err = f.outRef(a.ID, "300.00", "k1", ledger.ExternalRef{})
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
		f.RequireBalance(a.ID, "690.00")
	}},
	{Name: "outbound transfer with a taken reference is refused naming the holder, and nothing is posted, recorded, routed or published", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, friday(9, 0))
		a := f.funded("c1", "1000.00")
		ref := ledger.ExternalRef{Client: "app/1", Ref: "pay-1"}
		// Taken by an entry inside the bank: references are unique among a client's entries.
		b := f.Open("c2")
		inside, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("5.00"), ExternalRef: ref})
		require.NoError(t, err)
		// Refused before the channel's accounts are made on demand: not even
		// their openings are published.
		before, events := f.snapshot(), f.events()
		_, err = f.outRef(a.ID, "200.00", "k0", ref)
		require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
		require.Equal(t, before, f.snapshot())
		require.Equal(t, events, f.events())
		first, err := f.outRef(a.ID, "100.00", "k1", ledger.ExternalRef{Client: "app/1", Ref: "pay-2"})
		require.NoError(t, err)

		before, events = f.snapshot(), f.events()
		for _, tc := range []struct {
			ref    ledger.ExternalRef
			holder ledger.ID
		}{{ref, inside.Entry.ID}, {first.ExternalRef, first.EntryID}} {
			_, err := f.outRef(a.ID, "200.00", "k-"+tc.ref.Ref, tc.ref)
			require.ErrorIs(t, err, ledger.ErrExternalRefTaken)
			var re *ledger.ExternalRefError
			require.ErrorAs(t, err, &re)
			require.Equal(t, tc.holder, re.Existing)
		}
		require.Equal(t, before, f.snapshot())
		require.Equal(t, events, f.events())
		// Only the first transfer is queued and sent: the refused ones were never routed.
		sent := f.sendDue()
		require.Len(t, sent, 1)
		require.Equal(t, []ledger.ID{first.ID}, sent[0].TransferIDs)
		// And the reference still names its holder.
		got, err := f.clr.TransferByRef(f.Ctx, first.ExternalRef)
		require.NoError(t, err)
		require.Equal(t, first.ID, got.ID)
	}},
	{Name: "outbound transfer refuses a malformed reference before anything moves", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "100.00")
		before := f.snapshot()
		for _, ref := range []ledger.ExternalRef{{Client: "app/1"}, {Ref: "x"}, {Client: "app/1", Ref: "a\nb"}} {
			_, err := f.outRef(a.ID, "10.00", "", ref)
			requireInvalid(t, err, "external_ref")
		}
		_, err := f.clr.TransferByRef(f.Ctx, ledger.ExternalRef{})
		requireInvalid(t, err, "external_ref")
		require.Equal(t, before, f.snapshot())
	}},
}
