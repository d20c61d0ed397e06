package ledgertest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var classTests = []test{
	{Name: "ClassesOpenWithTheirLimits", Run: testClassesOpen},
	{Name: "ClassOnePerOwnerAndCurrency", Run: testClassOnePerOwner},
	{Name: "ClassOneRace", Run: testClassOneRace},
	{Name: "ClassTwoDailyOutflow", Run: testClassTwoDaily},
	{Name: "ClassTwoAnnualOutflow", Run: testClassTwoAnnual},
	{Name: "ClassThreeBalanceAndOutflow", Run: testClassThree},
	{Name: "ClassLimitsInABatch", Run: testClassBatch},
	{Name: "ClassLimitRace", Run: testClassRace},
	{Name: "ClassRebinding", Run: testClassRebind},
	{Name: "ClassRebindingRefusals", Run: testClassRebindRefusals},
	{Name: "ClassRebindingDuringTransfers", Run: testClassRebindRace},
}

// openClass opens a CNY demand account of class c for owner, bound to
// bound.
func openClass(f *fixture, owner string, c ledger.Class, bound ...ledger.ID) ledger.Account {
	f.T.Helper()
	return f.OpenWith(ledger.OpenAccountRequest{OwnerID: owner, Product: ledger.ProductDemand, Currency: money.CNY,
		Class: c, BoundAccountIDs: bound})
}

// requireClassLimit checks that err is the refusal by limit, with max and
// remaining as decimal strings.
func requireClassLimit(t *testing.T, err error, limit, max, remaining string) {
	t.Helper()
	require.ErrorIs(t, err, ledger.ErrClassLimit)
	var ce *ledger.ClassLimitError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, limit, ce.Limit, err.Error())
	require.Equal(t, max, ce.Max.ValueString(), err.Error())
	require.Equal(t, remaining, ce.Remaining.ValueString(), err.Error())
}

// transferOn moves CNY amount from one account to another, value-dated d
// (the business date when zero).
func transferOn(f *fixture, from, to ledger.ID, amount string, d calendar.Date) error {
	_, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: cny(amount), ValueDate: d})
	return err
}

func testClassesOpen(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	three := openClass(f, "alice", ledger.ClassIII, one.ID)
	plain := f.Open("alice")

	got := f.Account(one.ID)
	require.Equal(t, ledger.ClassI, got.Class)
	require.True(t, got.Limits.IsZero())
	got = f.Account(two.ID)
	require.Equal(t, ledger.ClassII, got.Class)
	require.Equal(t, []ledger.ID{one.ID}, got.Bound)
	// The published CNY rules, copied onto the account.
	require.Equal(t, "10000", got.Limits.DailyOutflow.String())
	require.Equal(t, "200000", got.Limits.AnnualOutflow.String())
	require.True(t, got.Limits.MaxBalance.IsZero())
	got = f.Account(three.ID)
	require.Equal(t, ledger.ClassIII, got.Class)
	require.Equal(t, "2000", got.Limits.DailyOutflow.String())
	require.Equal(t, "50000", got.Limits.AnnualOutflow.String())
	require.Equal(t, "2000", got.Limits.MaxBalance.String())
	require.Equal(t, ledger.ClassNone, f.Account(plain.ID).Class)
	listed, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: "alice"})
	require.NoError(t, err)
	require.Len(t, listed, 4)
	for _, a := range listed {
		if a.ID == two.ID {
			require.Equal(t, ledger.ClassII, a.Class)
			require.Equal(t, []ledger.ID{one.ID}, a.Bound)
		}
	}

	// A class II account in a currency without rules has no limits.
	usd := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.USD, Class: ledger.ClassII})
	require.True(t, f.Account(usd.ID).Limits.IsZero())

	bob := openClass(f, "bob", ledger.ClassI)
	for _, c := range []struct {
		r     ledger.OpenAccountRequest
		field string
	}{
		{ledger.OpenAccountRequest{Class: "IV"}, "class"},
		{ledger.OpenAccountRequest{Class: ledger.ClassI, Product: ledger.ProductTime}, "class"},
		{ledger.OpenAccountRequest{Class: ledger.ClassI, BoundAccountIDs: []ledger.ID{one.ID}}, "bound_account_ids"},
		{ledger.OpenAccountRequest{Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{bob.ID}}, "bound_account_ids[0]"},
		{ledger.OpenAccountRequest{Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{one.ID, two.ID}}, "bound_account_ids[1]"},
		{ledger.OpenAccountRequest{Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{usd.ID}}, "bound_account_ids[0]"},
		{ledger.OpenAccountRequest{Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{ledger.NewID()}}, "bound_account_ids[0]"},
		{ledger.OpenAccountRequest{Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{one.ID, one.ID}}, "bound_account_ids[1]"},
	} {
		r := c.r
		r.OwnerID, r.Currency = "alice", money.CNY
		if r.Product == "" {
			r.Product = ledger.ProductDemand
		}
		_, err := f.Svc.OpenAccount(f.Ctx, r)
		requireInvalid(t, err, c.field)
	}
	// Invalid class rules are refused by NewService.
	_, err = ledger.NewService(f.Store, ledger.WithClassRules(ledger.ClassRules{ledger.ClassI: {money.CNY: {MaxBalance: decimal.NewFromInt(1)}}}))
	requireInvalid(t, err, "class_rules")
	_, err = ledger.NewService(f.Store, ledger.WithClassRules(ledger.ClassRules{ledger.ClassII: {money.CNY: {DailyOutflow: decimal.RequireFromString("0.001")}}}))
	requireInvalid(t, err, "limits.daily_outflow")
}

func testClassOnePerOwner(t *testing.T, f *fixture) {
	first := openClass(f, "alice", ledger.ClassI)
	_, err := f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand,
		Currency: money.CNY, Class: ledger.ClassI})
	require.ErrorIs(t, err, ledger.ErrClassOneHeld)
	// Another currency, another owner, and other classes are free.
	f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.USD, Class: ledger.ClassI})
	openClass(f, "bob", ledger.ClassI)
	openClass(f, "alice", ledger.ClassII, first.ID)
	// Once the first is closed, a new class I opens.
	_, err = f.Svc.Close(f.Ctx, first.ID)
	require.NoError(t, err)
	second := openClass(f, "alice", ledger.ClassI)
	require.NotEqual(t, first.ID, second.ID)
}

// Eight openings of a class I account for one owner at once: exactly one
// opens.
func testClassOneRace(t *testing.T, f *fixture) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand,
				Currency: money.CNY, Class: ledger.ClassI})
		})
	}
	wg.Wait()
	opened := 0
	for _, err := range errs {
		if err == nil {
			opened++
			continue
		}
		require.ErrorIs(t, err, ledger.ErrClassOneHeld)
	}
	require.Equal(t, 1, opened)
	got, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: "alice"})
	require.NoError(t, err)
	require.Len(t, got, 1)
}

func testClassTwoDaily(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	bob := f.Open("bob")
	f.Deposit(two.ID, "300000.00") // deposits are not outflows; class II has no maximum balance

	// 6,000.00 to Bob + 3,000.00 cash + 1,000.00 captured for Bob = 10,000.00,
	// exactly the daily limit.
	require.NoError(t, transferOn(f, two.ID, bob.ID, "6000.00", calendar.Date{}))
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: two.ID, Amount: cny("3000.00")})
	require.NoError(t, err)
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: two.ID, Amount: cny("1500.00")})
	require.NoError(t, err)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: bob.ID, Amount: cny("1000.01")})
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "10000.00", "1000.00")
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: bob.ID, Amount: cny("1000.00")})
	require.NoError(t, err)

	// A cent more is refused, with nothing left, and changes nothing.
	err = transferOn(f, two.ID, bob.ID, "0.01", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "10000.00", "0.00")
	f.RequireBalance(two.ID, "290000.00")
	f.RequireBalance(bob.ID, "7000.00")

	// To the bound class I account nothing counts.
	require.NoError(t, transferOn(f, two.ID, one.ID, "50000.00", calendar.Date{}))
	// The other way round, into class II, is no outflow of it.
	require.NoError(t, transferOn(f, one.ID, two.ID, "100.00", calendar.Date{}))
	// A reversal is the bank's correction, never counted: reversing the
	// transfer from the class I account takes 100.00 out of class II.
	r, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: one.ID, ToAccountID: two.ID, Amount: cny("100.00")})
	require.NoError(t, err)
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: r.Entry.ID})
	require.NoError(t, err)

	// Yesterday's limit is yesterday's: 10,000.00 more value-dated then.
	yesterday := f.Today.AddDays(-1)
	require.NoError(t, transferOn(f, two.ID, bob.ID, "10000.00", yesterday))
	err = transferOn(f, two.ID, bob.ID, "0.01", yesterday)
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "10000.00", "0.00")
	// 300,000.00 in, out 6,000 + 3,000 + 1,000 + 50,000 (bound) + 10,000
	// (yesterday), 100.00 back in (the other 100.00 reversed): 230,100.00.
	f.RequireBalance(two.ID, "230100.00")
	f.RequireTrialBalanced()
}

func testClassTwoAnnual(t *testing.T, f *fixture) {
	two := openClass(f, "alice", ledger.ClassII)
	bob := f.Open("bob")
	f.Deposit(two.ID, "250000.00")
	// Twenty days of 10,000.00, value-dated the 20 days before the
	// business date (2 March 2026: 10 to 1 March, all in 2026), reach the
	// annual 200,000.00 exactly.
	for d := 1; d <= 20; d++ {
		require.NoError(t, transferOn(f, two.ID, bob.ID, "10000.00", f.Today.AddDays(-d)), "day -%d", d)
	}
	// Today's daily limit is untouched, but the year's is spent.
	err := transferOn(f, two.ID, bob.ID, "0.01", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitAnnualOutflow, "200000.00", "0.00")
	// Last year's limit is another: 31 December 2025.
	require.NoError(t, transferOn(f, two.ID, bob.ID, "10000.00", calendar.MustDate(2025, 12, 31)))
	f.RequireBalance(two.ID, "40000.00")
	f.RequireBalance(bob.ID, "210000.00")
}

func testClassThree(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	three := openClass(f, "alice", ledger.ClassIII, one.ID)
	bob := f.Open("bob")
	f.Deposit(one.ID, "100000.00")

	// The balance may reach 2,000.00 and no further.
	f.Deposit(three.ID, "1500.00")
	_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: three.ID, Amount: cny("500.01")})
	requireClassLimit(t, err, ledger.LimitMaxBalance, "2000.00", "500.00")
	err = transferOn(f, one.ID, three.ID, "600.00", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitMaxBalance, "2000.00", "500.00")
	require.NoError(t, transferOn(f, one.ID, three.ID, "500.00", calendar.Date{}))
	f.RequireBalance(three.ID, "2000.00")

	// Outflows to unbound accounts: 2,000.00 a day. 1,200.00 + 800.00 to
	// Bob is the day's whole limit; 0.01 more is refused.
	require.NoError(t, transferOn(f, three.ID, bob.ID, "1200.00", calendar.Date{}))
	f.Deposit(three.ID, "1200.00")
	require.NoError(t, transferOn(f, three.ID, bob.ID, "800.00", calendar.Date{}))
	err = transferOn(f, three.ID, bob.ID, "0.01", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "2000.00", "0.00")
	// To the bound account it is free.
	require.NoError(t, transferOn(f, three.ID, one.ID, "1000.00", calendar.Date{}))
	f.RequireBalance(three.ID, "200.00")

	// The bank's own journal entries (interest) may pass the cap.
	f.Deposit(three.ID, "1800.00")
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: f.Vault.ID, Side: ledger.Debit, Amount: cny("1.25")},
		{AccountID: three.ID, Side: ledger.Credit, Amount: cny("1.25")},
	}})
	require.NoError(t, err)
	f.RequireBalance(three.ID, "2001.25")
	// Above the cap a credit is refused with nothing left to take.
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: three.ID, Amount: cny("0.01")})
	requireClassLimit(t, err, ledger.LimitMaxBalance, "2000.00", "0.00")
	f.RequireTrialBalanced()
}

// A batch counts its transfers in order: of three 4,000.00 transfers from
// a class II account, the first two fit the day's 10,000.00 and the third
// is refused; the one after it, 2,000.00, fits exactly.
func testClassBatch(t *testing.T, f *fixture) {
	two := openClass(f, "alice", ledger.ClassII)
	bob, carol := f.Open("bob"), f.Open("carol")
	f.Deposit(two.ID, "20000.00")
	res, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{
		{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("4000.00")},
		{FromAccountID: two.ID, ToAccountID: carol.ID, Amount: cny("4000.00")},
		{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("4000.00")},
		{FromAccountID: two.ID, ToAccountID: carol.ID, Amount: cny("2000.00")},
	})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	requireClassLimit(t, res[2].Err, ledger.LimitDailyOutflow, "10000.00", "2000.00")
	require.NoError(t, res[3].Err)
	f.RequireBalance(two.ID, "10000.00")
	err = transferOn(f, two.ID, bob.ID, "0.01", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "10000.00", "0.00")
}

// Sixteen transfers of 1,500.00 race the 10,000.00 a class II account may
// send in a day, each to its own payee: exactly six pass (9,000.00), and
// then exactly 1,000.00 more.
func testClassRace(t *testing.T, f *fixture) {
	two := openClass(f, "alice", ledger.ClassII)
	f.Deposit(two.ID, "100000.00")
	const n = 16
	payees := make([]ledger.Account, n)
	for i := range payees {
		payees[i] = f.Open(fmt.Sprintf("payee-%d", i))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = transferOn(f, two.ID, payees[i].ID, "1500.00", calendar.Date{})
		})
	}
	wg.Wait()
	passed := 0
	for _, err := range errs {
		switch {
		case err == nil:
			passed++
		case errors.Is(err, ledger.ErrClassLimit):
		default:
			t.Fatalf("transfer: %v", err)
		}
	}
	require.Equal(t, 6, passed)
	f.RequireBalance(two.ID, "91000.00")
	require.NoError(t, transferOn(f, two.ID, payees[0].ID, "1000.00", calendar.Date{}))
	err := transferOn(f, two.ID, payees[0].ID, "0.01", calendar.Date{})
	requireClassLimit(t, err, ledger.LimitDailyOutflow, "10000.00", "0.00")
	f.RequireTrialBalanced()
}

// A class II account rebound from its owner's class I account to another
// of the owner's accounts: payments to the old one count against the
// limits from then on, payments to the new one do not, and the change is
// kept with who made it.
func testClassRebind(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	plain := openClass(f, "alice", ledger.ClassNone)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	f.Deposit(two.ID, "60000.00")
	_, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("15000.00")})
	require.NoError(t, err, "to the bound account: not counted")

	rebound, err := f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: two.ID, BoundAccountIDs: []ledger.ID{plain.ID}, By: "staff/teller-1"})
	require.NoError(t, err)
	require.Equal(t, []ledger.ID{plain.ID}, rebound.Bound)
	require.Equal(t, []ledger.ID{plain.ID}, f.Account(two.ID).Bound)

	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: plain.ID, Amount: cny("12000.00")})
	require.NoError(t, err, "to the new bound account: not counted")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("10000.01")})
	require.ErrorIs(t, err, ledger.ErrClassLimit, "the old bound account is counted now")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("10000.00")})
	require.NoError(t, err)
	f.RequireBalance(two.ID, "23000.00")

	// The same binding again changes and records nothing; an empty one
	// unbinds.
	_, err = f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: two.ID, BoundAccountIDs: []ledger.ID{plain.ID}, By: "customer/alice"})
	require.NoError(t, err)
	unbound, err := f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: two.ID, By: "customer/alice"})
	require.NoError(t, err)
	require.Empty(t, unbound.Bound)
	require.Empty(t, f.Account(two.ID).Bound)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: plain.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrClassLimit, "nothing is bound: the day's limit is spent")

	history, err := f.Svc.Bindings(f.Ctx, two.ID)
	require.NoError(t, err)
	require.Len(t, history, 2)
	require.Equal(t, []ledger.ID{one.ID}, history[0].From)
	require.Equal(t, []ledger.ID{plain.ID}, history[0].To)
	require.Equal(t, "staff/teller-1", history[0].By)
	require.False(t, history[0].At.IsZero())
	require.Equal(t, []ledger.ID{plain.ID}, history[1].From)
	require.Empty(t, history[1].To)
	require.Equal(t, "customer/alice", history[1].By)
	none, err := f.Svc.Bindings(f.Ctx, one.ID)
	require.NoError(t, err)
	require.Empty(t, none)
}

// A rebinding that breaks a rule of binding is refused naming the field,
// and changes nothing.
func testClassRebindRefusals(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	three := openClass(f, "alice", ledger.ClassIII, one.ID)
	bobs := openClass(f, "bob", ledger.ClassI)
	usd, err := f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.USD})
	require.NoError(t, err)
	rebind := func(id ledger.ID, by string, bound ...ledger.ID) error {
		_, err := f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: id, BoundAccountIDs: bound, By: by})
		return err
	}
	requireInvalid(t, rebind(two.ID, "t", bobs.ID), "bound_account_ids[0]")
	requireInvalid(t, rebind(two.ID, "t", one.ID, three.ID), "bound_account_ids[1]")
	requireInvalid(t, rebind(two.ID, "t", usd.ID), "bound_account_ids[0]")
	requireInvalid(t, rebind(two.ID, "t", two.ID), "bound_account_ids[0]")
	requireInvalid(t, rebind(two.ID, "t", one.ID, one.ID), "bound_account_ids[1]")
	requireInvalid(t, rebind(two.ID, "t", ledger.NewID()), "bound_account_ids[0]")
	requireInvalid(t, rebind(one.ID, "t", two.ID), "class")
	requireInvalid(t, rebind(two.ID, "", one.ID), "by")
	require.ErrorIs(t, rebind(ledger.NewID(), "t"), ledger.ErrNotFound)
	require.Equal(t, []ledger.ID{one.ID}, f.Account(two.ID).Bound)
	history, err := f.Svc.Bindings(f.Ctx, two.ID)
	require.NoError(t, err)
	require.Empty(t, history)
	_, err = f.Svc.Bindings(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

// Transfers to the class I account race the class II account's rebinding
// away from it: each transfer counts by the binding it met, so the day's
// limit counts 1,500.00 for each transfer after the change and none
// before; the limit is never passed, and a refusal happens only once six
// have been counted.
func testClassRebindRace(t *testing.T, f *fixture) {
	one := openClass(f, "alice", ledger.ClassI)
	plain := openClass(f, "alice", ledger.ClassNone)
	two := openClass(f, "alice", ledger.ClassII, one.ID)
	carol := f.Open("carol")
	f.Deposit(two.ID, "30000.00")
	const n = 12
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("1500.00")})
		})
	}
	var rebindErr error
	wg.Go(func() {
		_, rebindErr = f.Svc.Rebind(f.Ctx, ledger.RebindRequest{AccountID: two.ID, BoundAccountIDs: []ledger.ID{plain.ID}, By: "t"})
	})
	wg.Wait()
	require.NoError(t, rebindErr)
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
	// k transfers were counted, 0 <= k <= min(passed, 6), and what remains
	// of the day is 10,000.00 - 1,500.00 k: the smallest such remainder
	// that passes to an unbound account is exactly it, and then not a cent
	// more passes.
	for k := 0; ; k++ {
		require.LessOrEqual(t, k, min(passed, 6), "no remainder of the form 10000 - 1500 k passed")
		room := 10000 - 1500*k
		_, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: carol.ID, Amount: cny(fmt.Sprintf("%d.00", room))})
		if err != nil {
			require.ErrorIs(t, err, ledger.ErrClassLimit)
			continue
		}
		_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: carol.ID, Amount: cny("0.01")})
		require.ErrorIs(t, err, ledger.ErrClassLimit)
		if refused > 0 {
			require.Equal(t, 6, k, "a transfer was refused before six were counted")
		}
		return
	}
}
