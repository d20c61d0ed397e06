package creditport_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/memcredit"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/creditport"
)

func TestOnMemledger(t *testing.T) {
	t.Parallel()
	run(t, memledger.New())
}

func TestOnPgledger(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(context.Background(), db))
	run(t, pgledger.New(db))
}

func cny(s string) money.Money { return money.MustParse(s, "CNY") }

// run takes a loan through the adapter on a ledger store: 100,000.00 at
// 6% over 12 months, the 1% fee (1,000.00) deducted. After disbursement
// the loan account holds the outstanding 100,000.00 and the customer's
// account 99,000.00 more; disbursing again pays nothing; the first
// instalment, 8,606.64 (interest 500.00, principal 8,106.64), leaves
// 91,893.36 on both; 1,000.00 paid ahead of the next due date is held on
// loan advances.
func run(t *testing.T, store ledger.Store) {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	lsvc, err := ledger.NewService(store, ledger.WithClock(clock))
	require.NoError(t, err)
	_, err = lsvc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	port := creditport.New(lsvc)

	customers, bureau, behaviour := &credittest.Customers{}, &credittest.Bureau{}, &credittest.Behaviour{}
	svc, err := credit.NewService(memcredit.New(), credit.WithClock(clock), credit.WithCustomers(customers),
		credit.WithBureau(bureau), credit.WithBehaviour(behaviour), credit.WithLedger(port))
	require.NoError(t, err)
	p, err := svc.CreateProduct(ctx, credittest.Product("CONSUMER"))
	require.NoError(t, err)
	c := credit.NewID()
	customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20"),
		CustomerSince: calendar.MustParseDate("2020-01-01")})
	bureau.Set(c, credit.BureauReport{Score: 720, Enquiries6M: 1, OpenAccounts: 3, RevolvingUtilisation: decimal.RequireFromString("0.2")})
	behaviour.Set(c, credit.Features{AverageBalance: decimal.RequireFromString("60000"), SalaryRegularity: decimal.NewFromInt(1), MonthsAsCustomer: 72})
	a, err := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: p.ID, Amount: cny("100000.00"), Term: 12,
		Purpose: credit.PurposeCar, MonthlyIncome: cny("30000.00"), MonthlyDebt: cny("2000.00"), Maker: "teller-1"})
	require.NoError(t, err)
	_, err = svc.Score(ctx, a.ID)
	require.NoError(t, err)
	for i, d := range []credit.DecisionRequest{{Step: 1, Approver: "officer-1", Role: "loan_officer", Verdict: credit.Approve},
		{Step: 2, Approver: "manager-1", Role: "branch_manager", Verdict: credit.Approve}} {
		a, err = svc.Decide(ctx, a.ID, d)
		require.NoError(t, err, "step %d", i+1)
	}
	contracts, err := svc.Contracts(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, contracts, 1)

	demand, err := lsvc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: c.String(), Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	_, err = lsvc.Deposit(ctx, ledger.DepositRequest{AccountID: demand.ID, Amount: cny("5000.00"), IdempotencyKey: "seed"})
	require.NoError(t, err)
	other, err := lsvc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "someone-else", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	req := credit.AcceptRequest{Version: 1, Channel: credit.ChannelMobile, By: c.String(), DisbursementAccount: other.ID}
	_, _, err = svc.AcceptContract(ctx, contracts[0].ID, req)
	require.ErrorIs(t, err, credit.ErrInvalidInput, "another customer's account")
	req.DisbursementAccount = demand.ID
	_, l, err := svc.AcceptContract(ctx, contracts[0].ID, req)
	require.NoError(t, err)

	balance := func(id ledger.ID) string {
		t.Helper()
		acc, err := lsvc.Account(ctx, id)
		require.NoError(t, err)
		return acc.Balance.ValueString()
	}
	none, err := port.ChartAccountBalance(ctx, credit.ChartLoanLossAllowance, money.CNY)
	require.NoError(t, err)
	require.Equal(t, "0.00", none.ValueString(), "the allowance, not yet created, is zero")
	l, err = svc.Disburse(ctx, l.ID, money.Money{})
	require.NoError(t, err)
	require.Equal(t, "100000.00", l.Outstanding.ValueString())
	// The allowance for the book: 100,000.00 normal at 1%, posted to the
	// ledger's chart accounts made on demand, and read back through the port.
	ps, err := svc.PostProvisions(ctx, calendar.MustParseDate("2026-03-02"))
	require.NoError(t, err)
	require.Equal(t, "1000.00", ps[0].Change.ValueString())
	allowance, err := port.ChartAccountBalance(ctx, credit.ChartLoanLossAllowance, money.CNY)
	require.NoError(t, err)
	require.Equal(t, "1000.00", allowance.ValueString())
	expense, err := lsvc.ChartAccount(ctx, money.CNY, credit.ChartProvisionExpense)
	require.NoError(t, err)
	require.Equal(t, "1000.00", expense.Balance.ValueString())
	require.Equal(t, l.Outstanding.ValueString(), balance(l.Account), "the loan account holds the outstanding principal")
	require.Equal(t, "104000.00", balance(demand.ID))
	acc, err := lsvc.Account(ctx, l.Account)
	require.NoError(t, err)
	require.Equal(t, ledger.ProductLoan, acc.Product)
	require.Equal(t, c.String(), acc.OwnerID)
	fees, err := lsvc.ChartAccount(ctx, money.CNY, ledger.CodeFeesIncome)
	require.NoError(t, err)
	require.Equal(t, "1000.00", fees.Balance.ValueString())

	_, err = svc.Disburse(ctx, l.ID, money.Money{})
	require.ErrorIs(t, err, credit.ErrAlreadyDisbursed)
	// The ledger itself replays the disbursement's key: posting the same
	// entry again returns the first and pays nothing.
	ref, err := port.Post(ctx, credit.LedgerEntry{Key: l.Tranches[0].Key, Description: "Loan " + l.ID.String() + " disbursement 1",
		Metadata: map[string]string{"loan_id": l.ID.String(), "kind": "disbursement"},
		Legs: []credit.Leg{{Account: l.Account, Side: credit.Debit, Amount: cny("100000.00")},
			{Account: demand.ID, Side: credit.Credit, Amount: cny("99000.00")},
			{Chart: credit.ChartFeesIncome, Side: credit.Credit, Amount: cny("1000.00")}}})
	require.NoError(t, err)
	require.Equal(t, l.Tranches[0].Entry, ref)
	require.Equal(t, "104000.00", balance(demand.ID))

	clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	_, l, err = svc.Repay(ctx, l.ID, credit.RepaymentRequest{Amount: cny("8606.64"), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: c.String(), Key: "april"})
	require.NoError(t, err)
	require.Equal(t, "91893.36", l.Outstanding.ValueString())
	require.Equal(t, l.Outstanding.ValueString(), balance(l.Account))
	income, err := lsvc.ChartAccount(ctx, money.CNY, ledger.CodeInterestIncome)
	require.NoError(t, err)
	require.Equal(t, "500.00", income.Balance.ValueString())

	r, l, err := svc.Repay(ctx, l.ID, credit.RepaymentRequest{Amount: cny("1000.00"), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: c.String(), Key: "ahead"})
	require.NoError(t, err)
	require.Equal(t, "1000.00", r.AdvanceHeld.ValueString())
	require.Equal(t, l.Outstanding.ValueString(), balance(l.Account))
	adv, err := lsvc.ChartAccount(ctx, money.CNY, credit.ChartLoanAdvances)
	require.NoError(t, err)
	require.Equal(t, "1000.00", adv.Balance.ValueString())

	// More than the account holds: the ledger refuses, credit records nothing.
	_, _, err = svc.Repay(ctx, l.ID, credit.RepaymentRequest{Amount: cny("1000000.00"), Source: credit.FromAccount,
		Channel: credit.ChannelMobile, By: c.String(), Key: "too-much"})
	require.ErrorIs(t, err, credit.ErrRefused)
	rs, err := svc.Repayments(ctx, l.ID, credit.Page{})
	require.NoError(t, err)
	require.Len(t, rs, 2)

	// The end of day accrues interest into receivable; a write-off charges
	// the principal to loan losses and reverses the accrual; a recovery
	// is income.
	clock.Set(time.Date(2026, 4, 10, 20, 0, 0, 0, time.UTC))
	_, err = svc.RunEndOfDay(ctx, calendar.MustParseDate("2026-04-10"))
	require.NoError(t, err)
	l, err = svc.Loan(ctx, l.ID)
	require.NoError(t, err)
	recv, err := lsvc.ChartAccount(ctx, money.CNY, ledger.CodeInterestReceivable)
	require.NoError(t, err)
	require.True(t, recv.Balance.Amount.IsPositive())
	require.Equal(t, l.Receivable().ValueString(), recv.Balance.ValueString())
	l, err = svc.WriteOff(ctx, l.ID, credit.WriteOffRequest{Reason: "test", By: "cro", ApprovedBy: "board"})
	require.NoError(t, err)
	require.Equal(t, "0.00", balance(l.Account))
	losses, err := lsvc.ChartAccount(ctx, money.CNY, credit.ChartLoanLosses)
	require.NoError(t, err)
	require.Equal(t, "90893.36", losses.Balance.ValueString(), "91,893.36 less the 1,000.00 advance held")
	recv, err = lsvc.ChartAccount(ctx, money.CNY, ledger.CodeInterestReceivable)
	require.NoError(t, err)
	require.Equal(t, "0.00", recv.Balance.ValueString())
	_, _, err = svc.Recover(ctx, l.ID, credit.RepaymentRequest{Amount: cny("500.00"), Source: credit.FromAccount,
		Channel: credit.ChannelBranch, By: "teller", Key: "recovery"})
	require.NoError(t, err)
	rec, err := lsvc.ChartAccount(ctx, money.CNY, credit.ChartLoanRecoveries)
	require.NoError(t, err)
	require.Equal(t, "500.00", rec.Balance.ValueString())

	tb, err := lsvc.TrialBalance(ctx, money.CNY)
	require.NoError(t, err)
	require.True(t, tb.Debits.Equal(tb.Credits), "the trial balance balances")
}

// dateMover is the part of a ledger store the bank's end of day moves the
// business date with.
type dateMover interface {
	AdvanceBusinessDate(ctx context.Context, from, to calendar.Date) error
}

func TestBusinessDatesOnMemledger(t *testing.T) {
	t.Parallel()
	st := memledger.New()
	businessDates(t, st, st)
}

func TestBusinessDatesOnPgledger(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(context.Background(), db))
	st := pgledger.New(db)
	businessDates(t, st, st)
}

// businessDates: credit's day is the ledger's business date through the
// adapter: the clock's date on a new ledger, then wherever the end of day
// moves it (the clock stays on 2 March), read at once.
func businessDates(t *testing.T, store ledger.Store, mover dateMover) {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	lsvc, err := ledger.NewService(store, ledger.WithClock(clock))
	require.NoError(t, err)
	svc, err := credit.NewService(memcredit.New(), credit.WithClock(clock), credit.WithBusinessDate(creditport.BusinessDates(lsvc)))
	require.NoError(t, err)
	d, err := svc.BusinessDate(ctx)
	require.NoError(t, err)
	require.Equal(t, calendar.MustParseDate("2026-03-02"), d)
	require.NoError(t, mover.AdvanceBusinessDate(ctx, d, calendar.MustParseDate("2026-03-03")))
	d, err = svc.BusinessDate(ctx)
	require.NoError(t, err)
	require.Equal(t, calendar.MustParseDate("2026-03-03"), d)
	_, err = svc.RunEndOfDay(ctx, calendar.MustParseDate("2026-03-04"))
	require.ErrorIs(t, err, credit.ErrInvalidInput, "the end of day may not run ahead of the business date")
}
