package ledgertest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

var classExternalTests = []test{
	{Name: "ClassExternalBinding", Run: testClassExternalBinding},
	{Name: "ClassExternalBindingRefusals", Run: testClassExternalRefusals},
	{Name: "ClassExternalRebindingDuringPayouts", Run: testClassExternalRace},
}

// aliceAtICBC is the owner's account at another bank in these tests.
var aliceAtICBC = ledger.ExternalAccount{BankCode: "102100099996", AccountNumber: "6222020200112233445", HolderName: "Alice Wang"}

// payout posts what an inter-bank payment posts: the account debited, the
// clearing suspense credited, the payee named.
func (f *fixture) payout(from ledger.ID, amount, bank, number string) error {
	f.T.Helper()
	_, err := f.payoutEntry(from, amount, bank, number)
	return err
}

func (f *fixture) payoutEntry(from ledger.ID, amount, bank, number string) (ledger.Entry, error) {
	f.T.Helper()
	suspense, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeClearingSuspense)
	require.NoError(f.T, err)
	r, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: from, Side: ledger.Debit, Amount: cny(amount)},
			{AccountID: suspense.ID, Side: ledger.Credit, Amount: cny(amount)},
		},
		Description: "payment to another bank",
		Payout:      &ledger.Payout{BankCode: bank, AccountNumber: number, Amount: cny(amount)},
	})
	return r.Entry, err
}

// A class II account bound to its owner's account at another bank pays
// it without counting against its outflow limits, as it pays its bound
// account here; payouts to other accounts there count. The binding has a
// history like the internal one, and leaves the internal binding alone.
func testClassExternalBinding(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	f.Deposit(two.ID, "80000.00")
	require.ErrorIs(t, f.payout(two.ID, "15000.00", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber), ledger.ErrClassLimit,
		"not bound yet: counted")

	bound, err := f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, Accounts: []ledger.ExternalAccount{aliceAtICBC}, By: "staff/teller-1"})
	require.NoError(t, err)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, bound.BoundExternal)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, f.Account(two.ID).BoundExternal)
	require.Equal(t, []ledger.ID{one.ID}, f.Account(two.ID).Bound, "the internal binding stays")

	require.NoError(t, f.payout(two.ID, "15000.00", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber), "bound: not counted")
	require.NoError(t, f.payout(two.ID, "15000.00", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber), "again")
	// To someone else at the same bank: counted, exactly the day's limit.
	require.ErrorIs(t, f.payout(two.ID, "10000.01", aliceAtICBC.BankCode, "6222020200199999999"), ledger.ErrClassLimit)
	require.NoError(t, f.payout(two.ID, "10000.00", aliceAtICBC.BankCode, "6222020200199999999"))
	require.ErrorIs(t, f.payout(two.ID, "0.01", aliceAtICBC.BankCode, "6222020200199999999"), ledger.ErrClassLimit)
	// The day is spent, and the bound accounts, here and there, are still paid.
	paid, err := f.payoutEntry(two.ID, "5000.00", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber)
	require.NoError(t, err)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("1000.00")})
	require.NoError(t, err)
	f.RequireBalance(two.ID, "34000.00")

	// A rebinding here keeps the binding there; the same external binding
	// again records nothing; an empty one unbinds.
	plain := openClass(f, "alice", ledger.ClassNone)
	rebound, err := f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: two.ID, BoundAccountIDs: []ledger.ID{plain.ID}, By: "customer/alice"})
	require.NoError(t, err)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, rebound.BoundExternal)
	_, err = f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, Accounts: []ledger.ExternalAccount{aliceAtICBC}, By: "customer/alice"})
	require.NoError(t, err)
	unbound, err := f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, By: "customer/alice"})
	require.NoError(t, err)
	require.Empty(t, unbound.BoundExternal)
	require.Equal(t, []ledger.ID{plain.ID}, unbound.Bound)
	require.ErrorIs(t, f.payout(two.ID, "0.01", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber), ledger.ErrClassLimit,
		"unbound: the day's limit is spent")

	history, err := f.Svc.Bindings(f.Ctx, two.ID)
	require.NoError(t, err)
	require.Len(t, history, 3)
	require.True(t, history[0].External)
	require.Empty(t, history[0].FromExternal)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, history[0].ToExternal)
	require.Equal(t, []ledger.ID{one.ID}, history[0].From)
	require.Equal(t, []ledger.ID{one.ID}, history[0].To)
	require.Equal(t, "staff/teller-1", history[0].By)
	require.False(t, history[1].External)
	require.Equal(t, []ledger.ID{plain.ID}, history[1].To)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, history[1].FromExternal)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, history[1].ToExternal)
	require.True(t, history[2].External)
	require.Equal(t, []ledger.ExternalAccount{aliceAtICBC}, history[2].FromExternal)
	require.Empty(t, history[2].ToExternal)
	require.Equal(t, "customer/alice", history[2].By)

	// The entry keeps its payout, as the class rule read it.
	e, err := f.Svc.Entry(f.Ctx, paid.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]string{ledger.MetaPayoutBank: aliceAtICBC.BankCode, ledger.MetaPayoutAccount: aliceAtICBC.AccountNumber,
		ledger.MetaPayoutAmount: "5000.00"}, e.Metadata)
}

// A binding that breaks a rule is refused naming the field and changes
// nothing; so is a payout the entry cannot make, or a caller's metadata
// that would pose as one.
func testClassExternalRefusals(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	bind := func(id ledger.ID, by string, xs ...ledger.ExternalAccount) error {
		_, err := f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: id, Accounts: xs, By: by})
		return err
	}
	bad := func(change func(*ledger.ExternalAccount)) ledger.ExternalAccount {
		x := aliceAtICBC
		change(&x)
		return x
	}
	requireInvalid(t, bind(two.ID, "t", bad(func(x *ledger.ExternalAccount) { x.BankCode = "" })), "accounts[0].bank_code")
	requireInvalid(t, bind(two.ID, "t", bad(func(x *ledger.ExternalAccount) { x.BankCode = "01/02" })), "accounts[0].bank_code")
	requireInvalid(t, bind(two.ID, "t", bad(func(x *ledger.ExternalAccount) { x.AccountNumber = "6222 0202" })), "accounts[0].account_number")
	requireInvalid(t, bind(two.ID, "t", bad(func(x *ledger.ExternalAccount) { x.HolderName = "" })), "accounts[0].holder_name")
	requireInvalid(t, bind(two.ID, "t", bad(func(x *ledger.ExternalAccount) { x.HolderName = "Alice\nWang" })), "accounts[0].holder_name")
	requireInvalid(t, bind(two.ID, "t", aliceAtICBC, bad(func(x *ledger.ExternalAccount) { x.HolderName = "A. Wang" })), "accounts[1]")
	requireInvalid(t, bind(one.ID, "t", aliceAtICBC), "class")
	requireInvalid(t, bind(two.ID, "", aliceAtICBC), "by")
	many := make([]ledger.ExternalAccount, ledger.MaxBoundExternal+1)
	for i := range many {
		many[i] = bad(func(x *ledger.ExternalAccount) { x.AccountNumber = fmt.Sprintf("62220202%d", i) })
	}
	requireInvalid(t, bind(two.ID, "t", many...), "accounts")
	require.ErrorIs(t, bind(ledger.NewID(), "t", aliceAtICBC), ledger.ErrNotFound)
	require.Empty(t, f.Account(two.ID).BoundExternal)
	history, err := f.Svc.Bindings(f.Ctx, two.ID)
	require.NoError(t, err)
	require.Empty(t, history)

	f.Deposit(two.ID, "100.00")
	suspense, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeClearingSuspense)
	require.NoError(t, err)
	postings := []ledger.Posting{
		{AccountID: two.ID, Side: ledger.Debit, Amount: cny("10.00")},
		{AccountID: suspense.ID, Side: ledger.Credit, Amount: cny("10.00")},
	}
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: postings,
		Payout: &ledger.Payout{BankCode: aliceAtICBC.BankCode, AccountNumber: aliceAtICBC.AccountNumber, Amount: cny("10.01")}})
	requireInvalid(t, err, "payout.amount")
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: postings,
		Payout: &ledger.Payout{BankCode: "", AccountNumber: aliceAtICBC.AccountNumber, Amount: cny("10.00")}})
	requireInvalid(t, err, "payout.bank_code")
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: postings,
		Metadata: map[string]string{ledger.MetaPayoutBank: aliceAtICBC.BankCode}})
	requireInvalid(t, err, "metadata")
	f.RequireBalance(two.ID, "100.00")
}

// Payouts to the bound account at the other bank race its unbinding: each
// counts by the binding it met, so of twelve payouts of 1,500.00 the ones
// after the change are counted, and the day's 10,000.00 is never passed.
func testClassExternalRace(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	f.Deposit(two.ID, "30000.00")
	_, err := f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, Accounts: []ledger.ExternalAccount{aliceAtICBC}, By: "t"})
	require.NoError(t, err)
	const n = 12
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f.payout(two.ID, "1500.00", aliceAtICBC.BankCode, aliceAtICBC.AccountNumber) })
	}
	var unbindErr error
	wg.Go(func() {
		_, unbindErr = f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, By: "t"})
	})
	wg.Wait()
	require.NoError(t, unbindErr)
	passed, refused := 0, 0
	for _, err := range errs {
		if err != nil {
			require.ErrorIs(t, err, ledger.ErrClassLimit)
			refused++
		} else {
			passed++
		}
	}
	f.RequireBalance(two.ID, fmt.Sprintf("%d.00", 30000-1500*passed))
	// k payouts were counted, k <= 6; what remains of the day passes to an
	// unbound account and not a cent more.
	for k := 0; ; k++ {
		require.LessOrEqual(t, k, min(passed, 6), "no remainder of the form 10000 - 1500 k passed")
		err := f.payout(two.ID, fmt.Sprintf("%d.00", 10000-1500*k), aliceAtICBC.BankCode, "6222020200199999999")
		if err != nil {
			require.ErrorIs(t, err, ledger.ErrClassLimit)
			continue
		}
		require.ErrorIs(t, f.payout(two.ID, "0.01", aliceAtICBC.BankCode, "6222020200199999999"), ledger.ErrClassLimit)
		if refused > 0 {
			require.Equal(t, 6, k, "a payout was refused before six were counted")
		}
		return
	}
}
