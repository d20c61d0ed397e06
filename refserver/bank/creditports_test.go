package bank_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// history is one demand account and its statement lines.
type history struct {
	acct  ledger.Account
	lines []ledger.StatementLine
}

func (h history) ListAccounts(context.Context, ledger.AccountFilter) ([]ledger.Account, ledger.ID, error) {
	return []ledger.Account{h.acct}, ledger.NilID, nil
}

func (h history) History(_ context.Context, q ledger.HistoryQuery) ([]ledger.StatementLine, error) {
	var out []ledger.StatementLine
	for _, l := range h.lines {
		if !l.ValueDate.Before(q.From) && !l.ValueDate.After(q.To) {
			out = append(out, l)
		}
	}
	return out, nil
}

func line(date, amount string) ledger.StatementLine {
	return ledger.StatementLine{ValueDate: calendar.MustParseDate(date), Amount: money.MustParse(amount, "CNY")}
}

func TestCreditBehaviourFromTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Opened on 1 January: +1,000.00 salary, -1,500.00 on the 5th, +2,000.00
	// salary on the 8th; 1,500.00 now. Closing balances 1-4 Jan 1,000.00,
	// 5-7 Jan -500.00, 8-10 Jan 1,500.00: (4×1,000 - 3×500 + 3×1,500) / 10
	// = 700.00 on average, 3 days overdrawn, January's salaries in its one
	// month.
	h := history{acct: ledger.Account{ID: ledger.NewID(), OpenedOn: calendar.MustParseDate("2026-01-01"), Balance: money.MustParse("1500.00", "CNY")},
		lines: []ledger.StatementLine{line("2026-01-08", "2000.00"), line("2026-01-05", "-1500.00"), line("2026-01-01", "1000.00")}}
	f, err := bank.CreditBehaviour{Ledger: h}.Features(ctx, credit.NewID(), calendar.MustParseDate("2026-01-10"))
	require.NoError(t, err)
	require.Equal(t, "700", f.AverageBalance.String())
	require.Equal(t, 3, f.OverdrawnDays)
	require.Equal(t, 0, f.MonthsAsCustomer)
	require.Equal(t, "1", f.SalaryRegularity.String())

	// Opened on 15 October 2025, read on 10 January: two whole months, three
	// months counted (the month opened too), salaries in two of them
	// (0.6667). 88 days: 36 at 0, 46 at 5,000.00 (from 20 November), 6 at
	// 10,000.00 (from 5 January): 290,000 / 88 = 3,295.45.
	h = history{acct: ledger.Account{ID: ledger.NewID(), OpenedOn: calendar.MustParseDate("2025-10-15"), Balance: money.MustParse("10000.00", "CNY")},
		lines: []ledger.StatementLine{line("2026-01-05", "5000.00"), line("2025-11-20", "5000.00")}}
	f, err = bank.CreditBehaviour{Ledger: h}.Features(ctx, credit.NewID(), calendar.MustParseDate("2026-01-10"))
	require.NoError(t, err)
	require.Equal(t, "3295.45", f.AverageBalance.StringFixed(2))
	require.Equal(t, 0, f.OverdrawnDays)
	require.Equal(t, 2, f.MonthsAsCustomer)
	require.Equal(t, "0.6667", f.SalaryRegularity.String())
}

func TestFakeBureauIsStablePerCustomer(t *testing.T) {
	t.Parallel()
	a := credit.NewID()
	ra, err := bank.FakeBureau{}.Report(context.Background(), a)
	require.NoError(t, err)
	again, _ := bank.FakeBureau{}.Report(context.Background(), a)
	require.Equal(t, ra, again, "the same customer, the same report")
	require.True(t, ra.Hit)
	require.True(t, ra.Score >= 620 && ra.Score < 800, ra.Score)
	require.True(t, ra.RevolvingUtilisation.LessThan(decimal.RequireFromString("0.6")))
}

type revealer map[customer.ID]customer.Customer

func (r revealer) Reveal(_ context.Context, _ string, id customer.ID, _ []customer.Field, _ string) (customer.Customer, []customer.Document, error) {
	c, ok := r[id]
	if !ok {
		return customer.Customer{}, nil, customer.ErrNotFound
	}
	return c, nil, nil
}

func TestCreditCustomersFacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ok, blocked := credit.NewID(), credit.NewID()
	r := revealer{
		ok: {ID: ok, DateOfBirth: calendar.MustParseDate("1990-03-07"), Status: customer.StatusActive,
			KYC: customer.KYC{Status: customer.KYCVerified}, CreatedAt: time.Date(2021, 6, 1, 9, 0, 0, 0, time.UTC)},
		blocked: {ID: blocked, DateOfBirth: calendar.MustParseDate("1990-03-07"), Status: customer.StatusBlocked,
			KYC: customer.KYC{Status: customer.KYCVerified}},
	}
	port := bank.CreditCustomers{Customers: r}
	f, err := port.Facts(ctx, ok)
	require.NoError(t, err)
	require.Equal(t, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1990-03-07"),
		CustomerSince: calendar.MustParseDate("2021-06-01")}, f)
	f, err = port.Facts(ctx, blocked)
	require.NoError(t, err)
	require.False(t, f.KYCVerified, "a blocked customer is not eligible, verified or not")
	_, err = port.Facts(ctx, credit.NewID())
	require.ErrorIs(t, err, credit.ErrNotFound)
}
