package ledgertest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
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
	runSuite(t, func(t *testing.T) *eodFixture { return newEODFixture(t, newStores) },
		eodInterestTests, eodRestartTests, eodDepositTests, eodOtherTests, eodSimulationTests)
}

type eodTest = suiteTest[*eodFixture]

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
	base := &fixture{t: t, ctx: context.Background(), store: store, clock: calendar.NewManualClock(start)}
	base.newStore = func(*testing.T) ledger.Store { return store }
	svc, err := ledger.NewService(store, ledger.WithClock(base.clock))
	require.NoError(t, err)
	base.svc = svc
	today, err := base.svc.BusinessDate(base.ctx)
	require.NoError(t, err)
	base.today = today
	chart, err := base.svc.SetupChart(base.ctx, money.CNY)
	require.NoError(t, err)
	base.vault = chart[0]
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
	f.eod = ledger.NewEndOfDay(f.svc, f.eodStore, all...)
}

// runEOD closes the business date, checks that it moved to the next
// business day, and moves the clock to 09:30 on it.
func (f *eodFixture) runEOD() ledger.EndOfDaySummary {
	f.t.Helper()
	sum, err := f.eod.RunEndOfDay(f.ctx, f.today)
	require.NoError(f.t, err)
	next, err := f.cal.NextBusinessDay(f.today)
	require.NoError(f.t, err)
	require.Equal(f.t, next, sum.Next)
	f.moveTo(next)
	return sum
}

// moveTo sets the clock to 09:30 on d and checks that d is the business date.
func (f *eodFixture) moveTo(d calendar.Date) {
	f.t.Helper()
	f.clock.Set(time.Date(d.Year, d.Month, d.Day, 9, 30, 0, 0, time.UTC))
	today, err := f.svc.BusinessDate(f.ctx)
	require.NoError(f.t, err)
	require.Equal(f.t, d, today)
	f.today = today
}

// runThrough runs end of day until the business date is after last.
func (f *eodFixture) runThrough(last calendar.Date) []ledger.EndOfDaySummary {
	f.t.Helper()
	var sums []ledger.EndOfDaySummary
	for !f.today.After(last) {
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
	f.t.Helper()
	a := f.open(owner)
	if amount != "" {
		f.deposit(a.ID, amount)
	}
	_, err := f.eod.AssignInterestProduct(f.ctx, a.ID, code)
	require.NoError(f.t, err)
	return a
}

func (f *eodFixture) setProduct(code string, p interest.Product) {
	f.t.Helper()
	require.NoError(f.t, f.eod.SetInterestProduct(f.ctx, code, p))
}

// chartBalance returns the balance of a CNY chart account.
func (f *eodFixture) chartBalance(code string) decimal.Decimal {
	f.t.Helper()
	a, err := f.svc.ChartAccount(f.ctx, money.CNY, code)
	require.NoError(f.t, err)
	return a.Balance.Amount
}

// interestLines returns the account's statement lines posted by end of day
// as interest, over a wide range of value dates.
func (f *eodFixture) interestLines(id ledger.ID) []ledger.StatementLine {
	f.t.Helper()
	st, err := f.svc.Statement(f.ctx, id, f.today.AddDays(-800), f.today.AddDays(40))
	require.NoError(f.t, err)
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
