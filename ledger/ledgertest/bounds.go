package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var boundTests = []test{
	{Name: "AmountsAboveTheLargestAccepted", Run: testAmountsAboveMax},
	{Name: "BalanceWithinTheLargestAccepted", Run: testBalanceWithinMax},
	{Name: "BankEntriesReachTheCapacity", Run: testBankEntriesReachCapacity},
	{Name: "ControlCharactersInText", Run: testControlCharacters},
}

// huge returns amounts no request may carry: just above the largest
// accepted, and the sizes an attacker tries.
func huge() []money.Money {
	above := money.MaxAmount(money.CNY)
	above.Amount = above.Amount.Add(decimal.New(1, -2))
	return []money.Money{above, cny("100000000000000000000"), {Amount: decimal.New(1, 38), Currency: money.CNY},
		{Amount: decimal.New(1, 100), Currency: money.CNY}}
}

func testAmountsAboveMax(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	for _, m := range huge() {
		_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: b.ID, Amount: m})
		requireInvalid(t, err, "amount")
		_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: m})
		requireInvalid(t, err, "amount")
		_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: m})
		requireInvalid(t, err, "amount")
		res, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{{FromAccountID: a.ID, ToAccountID: b.ID, Amount: m}})
		require.NoError(t, err)
		requireInvalid(t, res[0].Err, "amount")
		_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: m})
		requireInvalid(t, err, "amount")
		_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: b.ID, Amount: m})
		requireInvalid(t, err, "amount")
	}
	_, err = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "carol", Product: ledger.ProductDemand,
		Currency: money.CNY, Policy: ledger.Overdraft(huge()[0].Amount)})
	requireInvalid(t, err, "policy.limit")

	// The bank's own entries carry up to the capacity, and no further.
	beyond := money.Capacity(money.CNY)
	beyond.Amount = beyond.Amount.Add(decimal.New(1, -2))
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: f.Vault.ID, Side: ledger.Debit, Amount: beyond},
		{AccountID: b.ID, Side: ledger.Credit, Amount: beyond},
	}})
	requireInvalid(t, err, "postings[0].amount")

	f.RequireBalance(a.ID, "100.00", "90.00")
	f.RequireBalance(b.ID, "0.00")
	f.RequireTrialBalanced()
}

func testBalanceWithinMax(t *testing.T, f *fixture) {
	largest := money.MaxAmount(money.CNY).ValueString()
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, largest)
	f.RequireBalance(a.ID, largest, largest)
	_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	f.Deposit(b.ID, "0.01")
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: b.ID, Amount: cny("0.01")})
	require.NoError(t, err)
	_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: a.ID})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	// A loan grows on the debit side, within the same bound.
	loan := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductLoan, Currency: money.CNY,
		Policy: ledger.Overdraft(decimal.Zero)})
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: loan.ID, Side: ledger.Debit, Amount: cny(largest)},
		{AccountID: f.Vault.ID, Side: ledger.Credit, Amount: cny(largest)},
	}})
	require.NoError(t, err)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: loan.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)

	// Spending from the full account is always possible.
	f.Transfer(a.ID, b.ID, "1.00")
	f.RequireBalance(a.ID, "999999999998.99")
	f.RequireBalance(b.ID, "1.01", "1.00") // the hold still holds its 0.01
	f.RequireTrialBalanced()
}

func testBankEntriesReachCapacity(t *testing.T, f *fixture) {
	largest, capacity := money.MaxAmount(money.CNY), money.Capacity(money.CNY)
	a := f.Open("alice")
	f.Deposit(a.ID, largest.ValueString())
	interest := func(amount money.Money) error {
		_, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Description: "interest", Postings: []ledger.Posting{
			{AccountID: f.Vault.ID, Side: ledger.Debit, Amount: amount},
			{AccountID: a.ID, Side: ledger.Credit, Amount: amount},
		}})
		return err
	}
	// A year's interest at 100% on the full balance is paid beyond
	// MaxAmount...
	require.NoError(t, interest(largest))
	f.RequireBalance(a.ID, "1999999999999.98")
	// ... but a customer's deposit may not add to a balance beyond it.
	_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	// The bank's entries take the balance up to the capacity exactly.
	rest, err := capacity.Sub(money.Money{Amount: decimal.RequireFromString("1999999999999.98"), Currency: money.CNY})
	require.NoError(t, err)
	require.NoError(t, interest(rest))
	f.RequireBalance(a.ID, capacity.ValueString())
	require.ErrorIs(t, interest(cny("0.01")), ledger.ErrBalanceLimit)
	// A reversal too stops at the capacity.
	out := f.Open("bob")
	w, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: out.ID, Amount: cny("5.00")})
	require.NoError(t, err)
	require.NoError(t, interest(cny("5.00")))
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: w.Entry.ID})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	f.RequireBalance(a.ID, capacity.ValueString())
	f.RequireTrialBalanced()
}

// The stores would disagree on a NUL (PostgreSQL's text refuses it, a map
// keeps it): the Service refuses every control character first, naming
// the field, so both answer alike.
func testControlCharacters(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	for _, bad := range []string{"rent\x00", "\x00", "a\x1bb", "line\nbreak", "c1\u0085", "bad \xff"} {
		_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00"), Description: bad})
		requireInvalid(t, err, "description")
		_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"),
			Metadata: map[string]string{"ref": bad}})
		requireInvalid(t, err, "metadata.ref")
		_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"),
			Metadata: map[string]string{bad: "x"}})
		requireInvalid(t, err, "metadata")
		_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00"), Description: bad})
		requireInvalid(t, err, "description")
		j := move(a.ID, b.ID, "1.00", "")
		j.Description = bad
		_, err = f.Svc.PostEntry(f.Ctx, j)
		requireInvalid(t, err, "description")
		_, err = f.Svc.OpenAccount(f.Ctx, ledger.OpenAccountRequest{OwnerID: "carol" + bad, Product: ledger.ProductDemand, Currency: money.CNY})
		requireInvalid(t, err, "owner_id")
		_, _, err = f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: bad})
		requireInvalid(t, err, "owner_id")
		_, _, err = f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Code: bad})
		requireInvalid(t, err, "code")
		_, err = f.Svc.ChartAccount(f.Ctx, money.CNY, bad)
		requireInvalid(t, err, "code")
	}
	// Any other character of any script is text.
	r, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00"),
		Description: "工资 – Zoë’s café ☕", Metadata: map[string]string{"备注": "季度 🏦"}})
	require.NoError(t, err)
	got, err := f.Svc.Entry(f.Ctx, r.Entry.ID)
	require.NoError(t, err)
	require.Equal(t, "工资 – Zoë’s café ☕", got.Description)
	require.Equal(t, map[string]string{"备注": "季度 🏦"}, got.Metadata)
	f.RequireBalance(a.ID, "101.00")
	f.RequireBalance(b.ID, "0.00")
}
