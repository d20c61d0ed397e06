package ledgertest

import (
	"strings"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var postingTests = []test{
	{Name: "DepositWithdrawTransfer", Run: testDepositWithdrawTransfer},
	{Name: "WithdrawInsufficientFunds", Run: testWithdrawInsufficient},
	{Name: "OverdraftLimit", Run: testOverdraft},
	{Name: "LoanAccountSides", Run: testLoanSides},
	{Name: "CurrencyMismatch", Run: testCurrencyMismatch},
	{Name: "InvalidMovementRequests", Run: testInvalidMovements},
	{Name: "UnknownAccounts", Run: testUnknownAccounts},
	{Name: "DepositNeedsChart", Run: testDepositNeedsChart},
	{Name: "JournalEntry", Run: testJournalEntry},
	{Name: "JournalEntryInvalid", Run: testJournalInvalid},
	{Name: "EntryRecordsTheRequest", Run: testEntryRecordsRequest},
	{Name: "ReturnedEntriesAreCopies", Run: testEntriesAreCopies},
}

func testDepositWithdrawTransfer(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	dep := f.Deposit(a.ID, "100.00")
	require.Equal(t, ledger.KindDeposit, dep.Kind)
	requirePostings(t, []ledger.Posting{
		{AccountID: f.Vault.ID, Side: ledger.Debit, Amount: cny("100.00")},
		{AccountID: a.ID, Side: ledger.Credit, Amount: cny("100.00")},
	}, dep.Postings)

	w, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("30.00")})
	require.NoError(t, err)
	require.Equal(t, ledger.KindWithdrawal, w.Entry.Kind)
	tr := f.Transfer(a.ID, b.ID, "20.50")
	require.Equal(t, ledger.KindTransfer, tr.Kind)

	// 100 - 30 - 20.50 and 20.50; the vault took 100 in and paid 30 out.
	f.RequireBalance(a.ID, "49.50", "49.50")
	f.RequireBalance(b.ID, "20.50", "20.50")
	f.RequireBalance(f.Vault.ID, "70.00")
	tb := f.RequireTrialBalanced()
	require.Equal(t, "70.00", tb.Debits.ValueString())
}

func testWithdrawInsufficient(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "10.00")
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("10.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("10.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "an empty account cannot pay")
	f.RequireBalance(a.ID, "10.00")
	f.RequireBalance(b.ID, "0.00")
	require.Equal(t, 1, f.LineCount(a.ID), "refused entries leave no line")
	require.Equal(t, 0, f.LineCount(b.ID))

	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err, "the whole balance can be withdrawn")
	f.RequireBalance(a.ID, "0.00")
}

func testOverdraft(t *testing.T, f *fixture) {
	a := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
		Policy: ledger.Overdraft(decimal.RequireFromString("50"))})
	f.Deposit(a.ID, "10.00")
	f.RequireBalance(a.ID, "10.00", "60.00")
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("60.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("60.00")})
	require.NoError(t, err)
	f.RequireBalance(a.ID, "-50.00", "0.00")
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	f.Deposit(a.ID, "0.01") // a credit is always welcome below the limit
	f.RequireBalance(a.ID, "-49.99", "0.01")
}

func testLoanSides(t *testing.T, f *fixture) {
	loan := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductLoan, Currency: money.CNY,
		Policy: ledger.Overdraft(decimal.Zero)})
	current := f.Open("alice")
	// Disbursement: debit the loan (the bank's asset grows), credit the
	// customer's deposit.
	_, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: loan.ID, Side: ledger.Debit, Amount: cny("1000.00")},
		{AccountID: current.ID, Side: ledger.Credit, Amount: cny("1000.00")},
	}, Description: "disbursement"})
	require.NoError(t, err)
	f.RequireBalance(loan.ID, "1000.00")
	f.RequireBalance(current.ID, "1000.00")
	// Repayment in cash: credit the loan, debit vault cash.
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: loan.ID, Amount: cny("400.00")})
	require.NoError(t, err)
	f.RequireBalance(loan.ID, "600.00")
	// Repaying more than is owed would take the loan below zero.
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: loan.ID, Amount: cny("600.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	f.RequireTrialBalanced()
}

func testCurrencyMismatch(t *testing.T, f *fixture) {
	_, err := f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	a := f.Open("alice")
	dollars := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.USD})
	f.Deposit(a.ID, "10.00")
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: dollars.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: dollars.ID, Amount: usd("1.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	f.RequireBalance(a.ID, "10.00")
	f.RequireBalance(dollars.ID, "0.00")
}

func testInvalidMovements(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	ok := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00")}
	tests := []struct {
		name  string
		edit  func(r *ledger.TransferRequest)
		field string
	}{
		{"no from", func(r *ledger.TransferRequest) { r.FromAccountID = ledger.NilID }, "from_account_id"},
		{"no to", func(r *ledger.TransferRequest) { r.ToAccountID = ledger.NilID }, "to_account_id"},
		{"to self", func(r *ledger.TransferRequest) { r.ToAccountID = a.ID }, "to_account_id"},
		{"zero amount", func(r *ledger.TransferRequest) { r.Amount = cny("0.00") }, "amount"},
		{"negative amount", func(r *ledger.TransferRequest) { r.Amount = cny("-1.00") }, "amount"},
		{"no currency", func(r *ledger.TransferRequest) { r.Amount = money.Money{Amount: decimal.NewFromInt(1)} }, "amount.currency"},
		{"fractions of a fen", func(r *ledger.TransferRequest) {
			r.Amount = money.Money{Amount: decimal.RequireFromString("1.005"), Currency: money.CNY}
		}, "amount"},
		{"future value date", func(r *ledger.TransferRequest) { r.ValueDate = f.Today.AddDays(1) }, "value_date"},
		{"description too long", func(r *ledger.TransferRequest) {
			r.Description = strings.Repeat("d", ledger.MaxDescriptionLength+1)
		}, "description"},
		{"metadata empty key", func(r *ledger.TransferRequest) { r.Metadata = map[string]string{"": "x"} }, "metadata"},
		{"bad key", func(r *ledger.TransferRequest) { r.IdempotencyKey = "caf\u00e9" }, "idempotency_key"},
	}
	for _, tc := range tests {
		r := ok
		tc.edit(&r)
		_, err := f.Svc.Transfer(f.Ctx, r)
		requireInvalid(t, err, tc.field)
	}

	deposits := []struct {
		r     ledger.DepositRequest
		field string
	}{
		{ledger.DepositRequest{Amount: cny("1.00")}, "account_id"},
		{ledger.DepositRequest{AccountID: b.ID, Amount: cny("0.00")}, "amount"},
		{ledger.DepositRequest{AccountID: b.ID, Amount: cny("1.00"), ValueDate: f.Today.AddDays(3)}, "value_date"},
		{ledger.DepositRequest{AccountID: b.ID, Amount: cny("1.00"), IdempotencyKey: strings.Repeat("k", 256)}, "idempotency_key"},
	}
	for _, tc := range deposits {
		_, err := f.Svc.Deposit(f.Ctx, tc.r)
		requireInvalid(t, err, tc.field)
		_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest(tc.r))
		requireInvalid(t, err, tc.field)
	}
	f.RequireBalance(a.ID, "100.00")
	f.RequireBalance(b.ID, "0.00")
	f.RequireBalance(f.Vault.ID, "100.00")
}

func testUnknownAccounts(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "10.00")
	_, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: ledger.NewID(), Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: ledger.NewID(), Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	f.RequireBalance(a.ID, "10.00")
	f.RequireBalance(f.Vault.ID, "10.00")
}

func testDepositNeedsChart(t *testing.T, f *fixture) {
	dollars := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.USD})
	_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: dollars.ID, Amount: usd("5.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	yuan := f.Open("alice")
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: yuan.ID, Amount: usd("5.00")})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch, "no USD chart, but the real mistake is the currency")
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: ledger.NewID(), Amount: usd("5.00")})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: f.Vault.ID, Amount: cny("5.00")})
	requireInvalid(t, err, "account_id")
	_, err = f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: dollars.ID, Amount: usd("5.00")})
	require.NoError(t, err)
	f.RequireBalance(dollars.ID, "5.00")
}

func testJournalEntry(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	fees, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeFeesIncome)
	require.NoError(t, err)
	suspense, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeSuspense)
	require.NoError(t, err)
	// One debit, two credits: a fee split between income and suspense.
	r, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
			{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("2.50")},
			{AccountID: suspense.ID, Side: ledger.Credit, Amount: cny("0.50")},
		},
		Description: "monthly fee",
		Metadata:    map[string]string{"product": "demand"},
	})
	require.NoError(t, err)
	require.Equal(t, ledger.KindJournal, r.Entry.Kind)
	require.Len(t, r.Entry.Postings, 3)
	f.RequireBalance(a.ID, "97.00")
	f.RequireBalance(fees.ID, "2.50")
	f.RequireBalance(suspense.ID, "0.50")

	// Policies apply to journal entries too.
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("97.01")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("97.01")},
	}})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)

	// Balanced per currency across two currencies.
	_, err = f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	usdVault, err := f.Svc.ChartAccount(f.Ctx, money.USD, ledger.CodeVaultCash)
	require.NoError(t, err)
	usdFees, err := f.Svc.ChartAccount(f.Ctx, money.USD, ledger.CodeFeesIncome)
	require.NoError(t, err)
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: f.Vault.ID, Side: ledger.Debit, Amount: cny("7.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("7.00")},
		{AccountID: usdVault.ID, Side: ledger.Debit, Amount: usd("1.00")},
		{AccountID: usdFees.ID, Side: ledger.Credit, Amount: usd("1.00")},
	}})
	require.NoError(t, err)
	f.RequireBalance(fees.ID, "9.50")
	f.RequireBalance(usdFees.ID, "1.00")
	f.RequireTrialBalanced()
	tbUSD, err := f.Svc.TrialBalance(f.Ctx, money.USD)
	require.NoError(t, err)
	require.Equal(t, "1.00", tbUSD.Debits.ValueString())
	require.True(t, tbUSD.Difference.IsZero())
}

func testJournalInvalid(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	fees, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeFeesIncome)
	require.NoError(t, err)

	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("2.99")},
	}})
	requireInvalid(t, err, "postings")
	require.ErrorIs(t, err, ledger.ErrUnbalanced)

	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
	}})
	requireInvalid(t, err, "postings")

	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: "sideways", Amount: cny("3.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("3.00")},
	}})
	requireInvalid(t, err, "postings[0].side")

	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("0.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("3.00")},
	}})
	requireInvalid(t, err, "postings[1].amount")

	// USD balanced against USD, but posted to a CNY account.
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: usd("3.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: usd("3.00")},
	}})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)

	// One account posted in two currencies, each balanced.
	_, err = f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	usdFees, err := f.Svc.ChartAccount(f.Ctx, money.USD, ledger.CodeFeesIncome)
	require.NoError(t, err)
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("1.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("1.00")},
		{AccountID: a.ID, Side: ledger.Debit, Amount: usd("1.00")},
		{AccountID: usdFees.ID, Side: ledger.Credit, Amount: usd("1.00")},
	}})
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)

	f.RequireBalance(a.ID, "100.00")
	f.RequireBalance(fees.ID, "0.00")
	f.RequireBalance(usdFees.ID, "0.00")
}

func testEntryRecordsRequest(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	f.Clock.Advance(90 * 60e9) // 90 minutes: booking time follows the clock
	r, err := f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("12.34"),
		Description: "rent", Metadata: map[string]string{"invoice": "INV-7"}, ValueDate: f.Today.AddDays(-1)})
	require.NoError(t, err)
	got, err := f.Svc.Entry(f.Ctx, r.Entry.ID)
	require.NoError(t, err)
	require.Equal(t, r.Entry.ID, got.ID)
	require.Equal(t, uint8(7), got.ID[6]>>4, "entry ids are UUIDv7")
	require.Equal(t, ledger.KindTransfer, got.Kind)
	require.Equal(t, "rent", got.Description)
	require.Equal(t, map[string]string{"invoice": "INV-7"}, got.Metadata)
	require.Equal(t, f.Today.AddDays(-1), got.ValueDate, "back-valued")
	require.True(t, got.BookedAt.Equal(f.Clock.Now()), "booked at %v, clock %v", got.BookedAt, f.Clock.Now())
	requirePostings(t, []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("12.34")},
		{AccountID: b.ID, Side: ledger.Credit, Amount: cny("12.34")},
	}, got.Postings)
	require.True(t, cny("12.34").Equal(got.Amount()))
	require.Equal(t, ledger.NilID, got.ReversedBy)

	_, err = f.Svc.Entry(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

func testEntriesAreCopies(t *testing.T, f *fixture) {
	a := f.Open("alice")
	e := f.Deposit(a.ID, "5.00")
	e.Postings[0].Amount = cny("999.00")
	got, err := f.Svc.Entry(f.Ctx, e.ID)
	require.NoError(t, err)
	got.Postings[1].Side = ledger.Debit
	again, err := f.Svc.Entry(f.Ctx, e.ID)
	require.NoError(t, err)
	require.True(t, cny("5.00").Equal(again.Postings[0].Amount))
	require.Equal(t, ledger.Credit, again.Postings[1].Side)
}
