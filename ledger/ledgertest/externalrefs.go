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
	{Name: "EntryExternalRefs", Run: testEntryRefs},
	{Name: "EntryExternalRefsInBatches", Run: testEntryRefsInBatches},
	{Name: "EntryExternalRefRace", Run: testEntryRefRace},
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

// External references on entries: each kind of posting carries one, the
// entry and its event show it, a lookup finds it, a replay of the key
// returns the first entry, and a second entry with it posts nothing.
func testEntryRefs(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	ref := ledger.ExternalRef{Client: "teller-1", Ref: "pay-1"}
	dep, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"), ExternalRef: ref, IdempotencyKey: "d1"})
	require.NoError(t, err)
	require.Equal(t, ref, dep.Entry.ExternalRef)
	got, err := f.Svc.Entry(f.Ctx, dep.Entry.ID)
	require.NoError(t, err)
	require.Equal(t, ref, got.ExternalRef)
	found, err := f.Svc.EntryByRef(f.Ctx, ref)
	require.NoError(t, err)
	require.Equal(t, dep.Entry.ID, found.ID)
	require.Equal(t, ref, found.ExternalRef)
	require.Len(t, found.Postings, 2)

	// The same request again is a replay, not a second use.
	again, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"), ExternalRef: ref, IdempotencyKey: "d1"})
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, dep.Entry.ID, again.Entry.ID)
	require.Equal(t, ref, again.Entry.ExternalRef)
	// The key with another reference is another request.
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"),
		ExternalRef: ledger.ExternalRef{Client: "teller-1", Ref: "pay-2"}, IdempotencyKey: "d1"})
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	// Any other posting with the reference is refused naming the first,
	// and moves nothing: with a new key, without one, of another kind.
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"), ExternalRef: ref, IdempotencyKey: "d2"})
	requireRefTaken(t, err, dep.Entry.ID)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"), ExternalRef: ref})
	requireRefTaken(t, err, dep.Entry.ID)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("1.00"), ExternalRef: ref})
	requireRefTaken(t, err, dep.Entry.ID)
	f.RequireBalance(a.ID, "100.00")
	f.RequireBalance(b.ID, "0.00")

	// Transfers, withdrawals and journal entries carry theirs; another
	// client's "pay-1" is another reference.
	tr, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("30.00"),
		ExternalRef: ledger.ExternalRef{Client: "shop", Ref: "pay-1"}})
	require.NoError(t, err)
	wd, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: b.ID, Amount: cny("5.00"),
		ExternalRef: ledger.ExternalRef{Client: "shop", Ref: "cash-1"}})
	require.NoError(t, err)
	jr, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("2.00")}, {AccountID: b.ID, Side: ledger.Credit, Amount: cny("2.00")}},
		ExternalRef: ledger.ExternalRef{Client: "shop", Ref: "fee-1"}})
	require.NoError(t, err)
	for ref, id := range map[ledger.ExternalRef]ledger.ID{
		{Client: "teller-1", Ref: "pay-1"}: dep.Entry.ID,
		{Client: "shop", Ref: "pay-1"}:     tr.Entry.ID,
		{Client: "shop", Ref: "cash-1"}:    wd.Entry.ID,
		{Client: "shop", Ref: "fee-1"}:     jr.Entry.ID,
	} {
		e, err := f.Svc.EntryByRef(f.Ctx, ref)
		require.NoError(t, err)
		require.Equal(t, id, e.ID, "%v", ref)
	}
	f.RequireBalance(a.ID, "68.00")
	f.RequireBalance(b.ID, "27.00")
	_, err = f.Svc.EntryByRef(f.Ctx, ledger.ExternalRef{Client: "shop", Ref: "pay-9"})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.EntryByRef(f.Ctx, ledger.ExternalRef{})
	requireInvalid(t, err, "external_ref")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"),
		ExternalRef: ledger.ExternalRef{Client: "shop", Ref: "bad\x00"}})
	requireInvalid(t, err, "external_ref")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"),
		ExternalRef: ledger.ExternalRef{Ref: "no client"}})
	requireInvalid(t, err, "external_ref")

	// A reversal is the bank's entry, without the client's reference.
	rev, err := f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: tr.Entry.ID})
	require.NoError(t, err)
	require.True(t, rev.Entry.ExternalRef.IsZero())
	byRef, err := f.Svc.EntryByRef(f.Ctx, ledger.ExternalRef{Client: "shop", Ref: "pay-1"})
	require.NoError(t, err)
	require.Equal(t, rev.Entry.ID, byRef.ReversedBy)

	// The events carry the references, and only those that were set.
	refs := map[ledger.ID]ledger.ExternalRef{}
	for _, ev := range f.entryEvents() {
		refs[ev.ID] = entryPosted(t, ev).ExternalRef
	}
	require.Equal(t, ledger.ExternalRef{Client: "teller-1", Ref: "pay-1"}, refs[dep.Entry.ID])
	require.Equal(t, ledger.ExternalRef{Client: "shop", Ref: "pay-1"}, refs[tr.Entry.ID])
	require.Equal(t, ledger.ExternalRef{Client: "shop", Ref: "fee-1"}, refs[jr.Entry.ID])
	require.Contains(t, refs, rev.Entry.ID)
	require.True(t, refs[rev.Entry.ID].IsZero())
}

// In a batch, the first transfer with a reference has it and a later one
// with it is refused naming it, whatever else the batch holds.
func testEntryRefsInBatches(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	ref := ledger.ExternalRef{Client: "shop", Ref: "batch-1"}
	tr := func(amount string, r ledger.ExternalRef) ledger.TransferRequest {
		return ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny(amount), ExternalRef: r}
	}
	results, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{
		tr("1000.00", ref), // refused for funds: the reference stays free
		tr("10.00", ref),
		tr("1.00", ledger.ExternalRef{}),
		tr("20.00", ref),
		tr("2.00", ledger.ExternalRef{Client: "shop", Ref: "batch-2"}),
	})
	require.NoError(t, err)
	require.ErrorIs(t, results[0].Err, ledger.ErrInsufficientFunds)
	require.NoError(t, results[1].Err)
	require.NoError(t, results[2].Err)
	requireRefTaken(t, results[3].Err, results[1].Entry.ID)
	require.NoError(t, results[4].Err)
	f.RequireBalance(a.ID, "87.00")
	e, err := f.Svc.EntryByRef(f.Ctx, ref)
	require.NoError(t, err)
	require.Equal(t, results[1].Entry.ID, e.ID)
	// A later batch meets the posted one.
	results, err = f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{tr("3.00", ref), tr("4.00", ledger.ExternalRef{})})
	require.NoError(t, err)
	requireRefTaken(t, results[0].Err, e.ID)
	require.NoError(t, results[1].Err)
	f.RequireBalance(a.ID, "83.00")
}

// Eight transfers with one reference at once, from different accounts:
// exactly one posts, the others are refused naming it and move nothing.
func testEntryRefRace(t *testing.T, f *fixture) {
	const n = 8
	to := f.Open("bob")
	from := make([]ledger.Account, n)
	for i := range from {
		from[i] = f.Open("alice")
		f.Deposit(from[i].ID, "10.00")
	}
	ref := ledger.ExternalRef{Client: "shop", Ref: "race"}
	ids := make([]ledger.ID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: from[i].ID, ToAccountID: to.ID,
				Amount: cny("10.00"), ExternalRef: ref})
			ids[i], errs[i] = r.Entry.ID, err
		})
	}
	wg.Wait()
	var winner ledger.ID
	for i, err := range errs {
		if err == nil {
			require.Equal(t, ledger.NilID, winner, "two transfers passed")
			winner = ids[i]
		}
	}
	require.NotEqual(t, ledger.NilID, winner)
	for _, err := range errs {
		if err != nil {
			requireRefTaken(t, err, winner)
		}
	}
	f.RequireBalance(to.ID, "10.00")
	f.RequireTrialBalanced()
}
