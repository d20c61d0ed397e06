package ledgertest

import (
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// NewEndOfDayStores returns a fresh, empty backend for one test: its
// ledger.Store and its ledger.EndOfDayStore, which must share their data
// (usually one value implementing both).
type NewEndOfDayStores func(t *testing.T) (ledger.Store, ledger.EndOfDayStore)

// RunEndOfDay runs the end-of-day contract suite: interest accrual and
// posting, time deposits, hold expiry, dormancy, the business date,
// idempotent re-runs and resumption after a failure, and a year of
// business days checked against figures worked out from the formula.
func RunEndOfDay(t *testing.T, newStores NewEndOfDayStores) {
	suite.Run(t, func(t *testing.T) *eodFixture { return newEODFixture(t, newStores) },
		eodInterestTests, eodRestartTests, eodDepositTests, eodOtherTests, eodSimulationTests)
}

type eodTest = suite.Test[*eodFixture]

// eodFixture is a Service and an EndOfDay over one fresh backend, with a
// manual clock, a Saturday-Sunday calendar and the CNY chart.
type eodFixture struct {
	*fixture
	eodStore ledger.EndOfDayStore
	cal      *calendar.BusinessCalendar
	eod      *ledger.EndOfDay

	mu       sync.Mutex
	progress []ledger.Progress
}

func newEODFixture(t *testing.T, newStores NewEndOfDayStores, opts ...ledger.EndOfDayOption) *eodFixture {
	t.Helper()
	store, eodStore := newStores(t)
	base := &fixture{Bank: suite.NewBank(t, store), newStore: func(*testing.T) ledger.Store { return store }}
	cal, err := calendar.NewBusinessCalendar()
	require.NoError(t, err)
	f := &eodFixture{fixture: base, eodStore: eodStore, cal: cal}
	f.withOptions(opts...)
	return f
}

// withOptions replaces the fixture's EndOfDay by one with more options.
func (f *eodFixture) withOptions(opts ...ledger.EndOfDayOption) {
	all := append([]ledger.EndOfDayOption{
		ledger.WithBusinessCalendar(f.cal),
		ledger.WithProgress(func(p ledger.Progress) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.progress = append(f.progress, p)
		}),
	}, opts...)
	f.eod = ledger.NewEndOfDay(f.Svc, f.eodStore, all...)
}

// runEOD closes the business date, checks that it moved to the next
// business day, and moves the clock to 09:30 on it.
func (f *eodFixture) runEOD() ledger.EndOfDaySummary {
	f.T.Helper()
	sum, err := f.eod.RunEndOfDay(f.Ctx, f.Today)
	require.NoError(f.T, err)
	next, err := f.cal.NextBusinessDay(f.Today)
	require.NoError(f.T, err)
	require.Equal(f.T, next, sum.Next)
	f.moveTo(next)
	return sum
}

// moveTo sets the clock to 09:30 on d and checks that d is the business date.
func (f *eodFixture) moveTo(d calendar.Date) {
	f.T.Helper()
	f.Clock.Set(time.Date(d.Year, d.Month, d.Day, 9, 30, 0, 0, time.UTC))
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(f.T, err)
	require.Equal(f.T, d, today)
	f.Today = today
}

// runThrough runs end of day until the business date is after last.
func (f *eodFixture) runThrough(last calendar.Date) []ledger.EndOfDaySummary {
	f.T.Helper()
	var sums []ledger.EndOfDaySummary
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
func (f *eodFixture) saver(owner, amount, code string) ledger.Account {
	f.T.Helper()
	a := f.Open(owner)
	if amount != "" {
		f.Deposit(a.ID, amount)
	}
	_, err := f.eod.AssignInterestProduct(f.Ctx, a.ID, code)
	require.NoError(f.T, err)
	return a
}

func (f *eodFixture) setProduct(code string, p interest.Product) {
	f.T.Helper()
	require.NoError(f.T, f.eod.SetInterestProduct(f.Ctx, code, p))
}

// chartBalance returns the balance of a CNY chart account.
func (f *eodFixture) chartBalance(code string) decimal.Decimal {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, money.CNY, code)
	require.NoError(f.T, err)
	return a.Balance.Amount
}

// interestLines returns the account's statement lines posted by end of day
// as interest, over a wide range of value dates.
func (f *eodFixture) interestLines(id ledger.ID) []ledger.StatementLine {
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
