package endofdaytest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var restartTests = []test{
	{Name: "ClosedDateRunsAgainAsNoOp", Run: testClosedDateNoOp},
	{Name: "OnlyTheBusinessDateRuns", Run: testOnlyBusinessDate},
	{Name: "ResumesAfterFailedSave", Run: testResumeAfterFailedSave},
	{Name: "ResumesAfterFailureMidPage", Run: testResumeMidPages},
	{Name: "ResumesAfterAdvance", Run: testResumeAfterAdvance},
	{Name: "ConcurrentRunsPostOnce", Run: testConcurrentRuns},
	{Name: "TwoRunnersOfOneDate", Run: testTwoRunners},
}

// errInjected is the failure the flaky store injects.
var errInjected = errors.New("injected failure")

// flakyStore fails chosen endofday.Store calls, as a crash or a lost
// connection would, after which the run is resumed.
type flakyStore struct {
	endofday.Store
	failPageSave atomic.Int32 // fail the n-th SaveAccrualPage from now (1 = the next)
	failDone     atomic.Bool  // fail saving the finished run
}

func (s *flakyStore) SaveAccrualPage(ctx context.Context, run endofday.Run, updates []endofday.AccrualUpdate) error {
	if s.failPageSave.Add(-1) == 0 {
		return errInjected
	}
	return s.Store.SaveAccrualPage(ctx, run, updates)
}

func (s *flakyStore) SaveEndOfDayRun(ctx context.Context, run endofday.Run) error {
	if run.Step == endofday.StepDone && s.failDone.CompareAndSwap(true, false) {
		return errInjected
	}
	return s.Store.SaveEndOfDayRun(ctx, run)
}

func (f *fixture) flaky(opts ...endofday.Option) *flakyStore {
	fs := &flakyStore{Store: f.eodStore}
	f.eodStore = fs
	f.withOptions(opts...)
	return fs
}

func testClosedDateNoOp(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Daily))
	a := f.saver("alice", "1000.00", "savings")
	closed := f.Today
	first := f.runEOD()
	require.Equal(t, 1, first.Postings)
	lines := f.LineCount(a.ID)

	again, err := f.eod.Run(f.Ctx, closed)
	require.NoError(t, err)
	requireSameSummary(t, first, again)
	require.Equal(t, lines, f.LineCount(a.ID))
	f.RequireBalance(a.ID, "1000.10")
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, f.Today, today, "the business date moves once")
}

func testOnlyBusinessDate(t *testing.T, f *fixture) {
	_, err := f.eod.Run(f.Ctx, f.Today.AddDays(1))
	requireInvalid(t, err, "business_date")
	_, err = f.eod.Run(f.Ctx, f.Today.AddDays(-1))
	requireInvalid(t, err, "business_date")
	_, err = f.eod.Run(f.Ctx, calendar.Date{Year: 2026, Month: time.February, Day: 30})
	requireInvalid(t, err, "business_date")
}

// The month-end run fails after posting the interest but before saving
// the accrual state; the resumed run replays the posting instead of paying
// twice.
func testResumeAfterFailedSave(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.saver("alice", "1000.00", "savings")
	fs := f.flaky()
	f.runThrough(calendar.MustDate(2026, time.March, 30))

	fs.failPageSave.Store(1)
	_, err := f.eod.Run(f.Ctx, f.Today)
	require.ErrorIs(t, err, errInjected)
	f.RequireBalance(a.ID, "1003.00") // posted before the failure
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, f.Today, today, "a failed run does not advance the date")

	sum := f.runEOD()
	require.Equal(t, 1, sum.AccountsAccrued)
	f.RequireBalance(a.ID, "1003.00")
	require.Len(t, f.interestLines(a.ID), 1)
	requireDec(t, dec("0"), f.chartBalance(ledger.CodeInterestPayable), "payable")
	requireDec(t, dec("3.00"), f.chartBalance(ledger.CodeInterestExpense), "expense")
	f.RequireTrialBalanced()
}

// Five accounts in pages of two: the second page's save fails; the resumed
// run keeps the first page, redoes the second and does the third.
func testResumeMidPages(t *testing.T, f *fixture) {
	accounts := f.monthlySavers("a", "b", "c", "d", "e")
	fs := f.flaky(endofday.WithPageSize(2))
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	fs.failPageSave.Store(2)
	_, err := f.eod.Run(f.Ctx, f.Today)
	require.ErrorIs(t, err, errInjected)
	f.runEOD()
	f.requireMarchPaidOnce(accounts, "15.00")
}

// monthlySavers sets the product "savings" (3.65% a year, posted monthly)
// and opens a saver of 1000.00 under it for each owner.
func (f *fixture) monthlySavers(owners ...string) []ledger.Account {
	f.T.Helper()
	f.setProduct("savings", product("0.0365", interest.Monthly))
	var accounts []ledger.Account
	for _, owner := range owners {
		accounts = append(accounts, f.saver(owner, "1000.00", "savings"))
	}
	return accounts
}

// requireMarchPaidOnce checks that each monthly saver was paid March's
// 3.00 in one entry, that interest payable is square and that interest
// expense is the total.
func (f *fixture) requireMarchPaidOnce(accounts []ledger.Account, expense string) {
	f.T.Helper()
	for _, a := range accounts {
		f.RequireBalance(a.ID, "1003.00")
		require.Len(f.T, f.interestLines(a.ID), 1)
	}
	requireDec(f.T, dec("0"), f.chartBalance(ledger.CodeInterestPayable), "payable")
	requireDec(f.T, dec(expense), f.chartBalance(ledger.CodeInterestExpense), "expense")
}

// The run advances the date, then fails to record that it finished: the
// re-run of the old date completes it without moving the date again.
func testResumeAfterAdvance(t *testing.T, f *fixture) {
	fs := f.flaky()
	fs.failDone.Store(true)
	closing := f.Today
	_, err := f.eod.Run(f.Ctx, closing)
	require.ErrorIs(t, err, errInjected)
	next, err := f.cal.NextBusinessDay(closing)
	require.NoError(t, err)
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, next, today)

	sum, err := f.eod.Run(f.Ctx, closing)
	require.NoError(t, err)
	require.Equal(t, next, sum.Next)
	today, err = f.Svc.BusinessDate(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, next, today, "the date moved once")
}

func testConcurrentRuns(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Daily))
	a := f.saver("alice", "1000.00", "savings")
	var wg sync.WaitGroup
	sums := make([]endofday.Summary, 8)
	errs := make([]error, 8)
	for i := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = f.eod.Run(f.Ctx, f.Today)
		}()
	}
	wg.Wait()
	for i := range sums {
		require.NoError(t, errs[i])
		requireSameSummary(t, sums[0], sums[i])
	}
	f.RequireBalance(a.ID, "1000.10")
	require.Len(t, f.interestLines(a.ID), 1)
}

// requireSameSummary compares summaries by value: amounts by number, not
// by their decimal representation, which a store may change.
func requireSameSummary(t *testing.T, want, got endofday.Summary) {
	t.Helper()
	require.Equal(t, want.Date, got.Date)
	require.Equal(t, want.Next, got.Next)
	require.Equal(t, [...]int{want.AccountsAccrued, want.DaysAccrued, want.Postings, want.Maturities, want.HoldsExpired, want.MarkedDormant},
		[...]int{got.AccountsAccrued, got.DaysAccrued, got.Postings, got.Maturities, got.HoldsExpired, got.MarkedDormant})
	require.Equal(t, want.Failures, got.Failures)
	require.Equal(t, want.MoreFailures, got.MoreFailures)
	for _, pair := range [][2]map[money.Currency]money.Money{
		{want.InterestPosted, got.InterestPosted}, {want.TaxWithheld, got.TaxWithheld}, {want.DebitInterest, got.DebitInterest},
	} {
		require.Len(t, pair[1], len(pair[0]))
		for c, m := range pair[0] {
			require.True(t, m.Equal(pair[1][c]), "%s: want %s, got %s", c, m, pair[1][c])
		}
	}
}

// Two runners of one date over one store, in pages of two: whichever
// loses a race fails and is run again; in the end every account is paid
// once and interest payable is square, so neither runner overwrote the
// other's totals.
func testTwoRunners(t *testing.T, f *fixture) {
	accounts := f.monthlySavers("a", "b", "c", "d", "e", "f")
	f.withOptions(endofday.WithPageSize(2))
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	runners := []*endofday.Service{f.eod, f.newService(endofday.WithPageSize(2))}
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 { // a loser retries, as an operator would
				if _, err := r.Run(f.Ctx, f.Today); err == nil || !errors.Is(err, endofday.ErrAccrualConflict) {
					return
				}
			}
		}()
	}
	wg.Wait()
	sum, err := f.eod.Run(f.Ctx, f.Today)
	require.NoError(t, err)
	require.Equal(t, 6, sum.Postings)
	f.moveTo(sum.Next)
	f.requireMarchPaidOnce(accounts, "18.00")
}
