package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/stretchr/testify/require"
)

var halvesTests = []test{
	{Name: "RunInTwoHalves", Run: testRunInTwoHalves},
	{Name: "AdvanceWaitsForTheSteps", Run: testAdvanceWaitsForTheSteps},
	{Name: "HalvesResumeAfterFailure", Run: testHalvesResume},
}

// requireBusinessDate checks the ledger's business date.
func (f *fixture) requireBusinessDate(want calendar.Date, msg string) {
	f.T.Helper()
	today, err := f.Svc.BusinessDate(f.Ctx)
	require.NoError(f.T, err)
	require.Equal(f.T, want, today, msg)
}

// RunSteps does everything but move the date, as often as it is called;
// Advance then moves it, once; Run of the closed date changes nothing.
func testRunInTwoHalves(t *testing.T, f *fixture) {
	a := f.monthlySavers("alice")[0]
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	closing := f.Today
	_, err := f.eod.Summary(f.Ctx, closing)
	require.ErrorIs(t, err, ledger.ErrNotFound, "no run of the date yet")

	steps, err := f.eod.RunSteps(f.Ctx, closing)
	require.NoError(t, err)
	require.Equal(t, 1, steps.Postings)
	stored, err := f.eod.Summary(f.Ctx, closing)
	require.NoError(t, err)
	requireSameSummary(t, steps, stored)
	f.RequireBalance(a.ID, "1003.00")
	f.requireBusinessDate(closing, "the steps leave the date where it is")
	lines := f.LineCount(a.ID)
	again, err := f.eod.RunSteps(f.Ctx, closing)
	require.NoError(t, err)
	requireSameSummary(t, steps, again)
	require.Equal(t, lines, f.LineCount(a.ID), "running the steps again posts nothing")

	sum, err := f.eod.Advance(f.Ctx, closing)
	require.NoError(t, err)
	requireSameSummary(t, steps, sum)
	stored, err = f.eod.Summary(f.Ctx, closing)
	require.NoError(t, err)
	requireSameSummary(t, sum, stored)
	next, err := f.cal.NextBusinessDay(closing)
	require.NoError(t, err)
	require.Equal(t, next, sum.Next)
	f.requireBusinessDate(next, "the advance moves the date")

	for _, run := range []func() (endofday.Summary, error){
		func() (endofday.Summary, error) { return f.eod.Advance(f.Ctx, closing) },
		func() (endofday.Summary, error) { return f.eod.RunSteps(f.Ctx, closing) },
		func() (endofday.Summary, error) { return f.eod.Run(f.Ctx, closing) },
	} {
		got, err := run()
		require.NoError(t, err)
		requireSameSummary(t, sum, got)
	}
	f.requireBusinessDate(next, "the date moves once")
	f.moveTo(next)
	f.requireMarchPaidOnce([]ledger.Account{a}, "3.00")
	f.RequireTrialBalanced()
}

func testAdvanceWaitsForTheSteps(t *testing.T, f *fixture) {
	closing := f.Today
	_, err := f.eod.Advance(f.Ctx, closing)
	require.ErrorIs(t, err, endofday.ErrStepsPending, "no run yet")
	_, err = f.eod.Advance(f.Ctx, closing.AddDays(1))
	requireInvalid(t, err, "business_date")
	f.requireBusinessDate(closing, "nothing moved the date")

	_, err = f.eod.RunSteps(f.Ctx, closing.AddDays(1))
	requireInvalid(t, err, "business_date")
	_, err = f.eod.RunSteps(f.Ctx, closing)
	require.NoError(t, err)
	sum, err := f.eod.Advance(f.Ctx, closing)
	require.NoError(t, err)
	f.requireBusinessDate(sum.Next, "advanced once the steps are done")
}

// A failure part-way through the steps leaves the date alone and Advance
// refused; RunSteps resumes, then Advance goes through.
func testHalvesResume(t *testing.T, f *fixture) {
	accounts := f.monthlySavers("a", "b", "c", "d", "e")
	fs := f.flaky(endofday.WithPageSize(2))
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	closing := f.Today

	fs.failPageSave.Store(2)
	_, err := f.eod.RunSteps(f.Ctx, closing)
	require.ErrorIs(t, err, errInjected)
	_, err = f.eod.Advance(f.Ctx, closing)
	require.ErrorIs(t, err, endofday.ErrStepsPending)
	f.requireBusinessDate(closing, "a failed run does not advance the date")

	steps, err := f.eod.RunSteps(f.Ctx, closing)
	require.NoError(t, err)
	require.Equal(t, 5, steps.AccountsAccrued, "the resumed run finished every page")
	sum, err := f.eod.Advance(f.Ctx, closing)
	require.NoError(t, err)
	f.moveTo(sum.Next)
	f.requireMarchPaidOnce(accounts, "15.00")
}
