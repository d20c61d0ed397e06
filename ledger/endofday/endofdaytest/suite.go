package endofdaytest

import (
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// NewStores returns a fresh, empty backend for one test: its
// ledger.Store and its endofday.Store, which must share their data
// (usually one value implementing both).
type NewStores func(t *testing.T) (ledger.Store, endofday.Store)

// Run runs the end-of-day contract suite: interest accrual and posting,
// time deposits, hold expiry, dormancy, the business date, idempotent
// re-runs, resumption after a failure, the run in two halves (RunSteps,
// Advance), and a year of business days checked against figures worked
// out from the formula. Subtests run in parallel, each on a fresh backend.
func Run(t *testing.T, newStores NewStores) {
	suite.Run(t, func(t *testing.T) *fixture { return newFixture(t, newStores) },
		interestTests, restartTests, halvesTests, depositTests, chineseTests, classicTests, boundTests, otherTests, simulationTests)
}

type test = suite.Test[*fixture]

// fixture is a bank (see suite.Bank) and an end-of-day Service over one
// fresh backend, with a Saturday-Sunday calendar.
type fixture struct {
	*suite.Bank
	eodStore endofday.Store
	cal      *calendar.BusinessCalendar
	eod      *endofday.Service

	mu       sync.Mutex
	progress []endofday.Progress
}

func newFixture(t *testing.T, newStores NewStores, opts ...endofday.Option) *fixture {
	t.Helper()
	store, eodStore := newStores(t)
	cal, err := calendar.NewBusinessCalendar()
	require.NoError(t, err)
	f := &fixture{Bank: suite.NewBank(t, store), eodStore: eodStore, cal: cal}
	f.withOptions(opts...)
	return f
}

// withOptions replaces the fixture's end-of-day Service by one with more
// options.
func (f *fixture) withOptions(opts ...endofday.Option) {
	f.eod = f.newService(append([]endofday.Option{
		endofday.WithProgress(func(p endofday.Progress) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.progress = append(f.progress, p)
		}),
	}, opts...)...)
}

// newService is an end-of-day Service over f's backend with the fixture's
// clock and calendar, and opts.
func (f *fixture) newService(opts ...endofday.Option) *endofday.Service {
	f.T.Helper()
	e, err := endofday.NewService(f.Svc, f.eodStore,
		append([]endofday.Option{endofday.WithClock(f.Clock), endofday.WithBusinessCalendar(f.cal)}, opts...)...)
	require.NoError(f.T, err)
	return e
}

// Shorthands for the shared helpers.
var (
	start           = suite.Start
	cny             = suite.CNY
	usd             = suite.USD
	requireInvalid  = suite.RequireInvalid
	requirePostings = suite.RequirePostings
)

// runEOD closes the business date, checks that it moved to the next
// business day, and moves the clock to 09:30 on it.
func (f *fixture) runEOD() endofday.Summary {
	f.T.Helper()
	sum, err := f.eod.Run(f.Ctx, f.Today)
	require.NoError(f.T, err)
	next, err := f.cal.NextBusinessDay(f.Today)
	require.NoError(f.T, err)
	require.Equal(f.T, next, sum.Next)
	f.moveTo(next)
	return sum
}

// moveTo sets the clock to 09:30 on d and checks that d is the business date.
func (f *fixture) moveTo(d calendar.Date) {
	f.T.Helper()
	f.Clock.Set(time.Date(d.Year, d.Month, d.Day, 9, 30, 0, 0, time.UTC))
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(f.T, err)
	require.Equal(f.T, d, today)
	f.Today = today
}

// runThrough runs end of day until the business date is after last.
func (f *fixture) runThrough(last calendar.Date) []endofday.Summary {
	f.T.Helper()
	var sums []endofday.Summary
	for !f.Today.After(last) {
		sums = append(sums, f.runEOD())
	}
	return sums
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var epoch = calendar.MustDate(2020, time.January, 1)

// product is a CNY ACT/365F product on the day's closing balance paying
// rate, compounding and posting every period.
func product(rate string, period interest.Period) interest.Product {
	return interest.Product{
		Currency: money.CNY, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
		Credit:      interest.RateSchedule{{Effective: epoch, Rate: interest.Flat(dec(rate))}},
		Compounding: period, Posting: period,
	}
}

// saver opens a CNY demand account, deposits amount (if not empty) and
// assigns it the product code.
func (f *fixture) saver(owner, amount, code string) ledger.Account {
	f.T.Helper()
	a := f.Open(owner)
	if amount != "" {
		f.Deposit(a.ID, amount)
	}
	_, err := f.eod.AssignInterestProduct(f.Ctx, a.ID, code)
	require.NoError(f.T, err)
	return a
}

func (f *fixture) setProduct(code string, p interest.Product) {
	f.T.Helper()
	require.NoError(f.T, f.eod.SetInterestProduct(f.Ctx, code, p))
}

// chartBalance returns the balance of a CNY chart account.
func (f *fixture) chartBalance(code string) decimal.Decimal {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, money.CNY, code)
	require.NoError(f.T, err)
	return a.Balance.Amount
}

// interestLines returns the account's statement lines posted by end of day
// as interest, over a wide range of value dates.
func (f *fixture) interestLines(id ledger.ID) []ledger.StatementLine {
	f.T.Helper()
	st, err := f.Svc.Statement(f.Ctx, id, f.Today.AddDays(-800), f.Today.AddDays(40))
	require.NoError(f.T, err)
	var out []ledger.StatementLine
	for _, l := range st.Lines {
		if l.Kind == ledger.KindJournal {
			out = append(out, l)
		}
	}
	return out
}

// requireDec compares decimals by value.
func requireDec(t *testing.T, want, got decimal.Decimal, what string) {
	t.Helper()
	require.Truef(t, want.Equal(got), "%s: want %s, got %s", what, want, got)
}
