package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/stretchr/testify/require"
)

var otherTests = []test{
	{Name: "HoldsExpireAtEndOfDay", Run: testEODExpiresHolds},
	{Name: "InactiveAccountsBecomeDormant", Run: testDormancy},
	{Name: "ProgressFollowsTheSteps", Run: testProgress},
}

func testEODExpiresHolds(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "100.00")
	expiring, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00"), ExpiresAt: start.Add(8 * time.Hour)})
	require.NoError(t, err)
	lasting, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00")})
	require.NoError(t, err)
	f.Clock.Set(start.Add(9 * time.Hour)) // the evening of the first day
	sum := f.runEOD()
	require.Equal(t, 1, sum.HoldsExpired)
	h, err := f.Svc.Hold(f.Ctx, expiring.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldExpired, h.Status)
	h, err = f.Svc.Hold(f.Ctx, lasting.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, h.Status)
	f.RequireBalance(a.ID, "100.00", "80.00")
}

// With a 30-day period, an account whose last customer activity was on 2
// March becomes dormant at the end of 1 April (2 March is then 31 days
// back); the monthly interest posting does not keep it alive, and a
// weekly transfer does.
func testDormancy(t *testing.T, f *fixture) {
	f.withOptions(endofday.WithDormancyAfter(30))
	f.setProduct("savings", product("0.0365", interest.Monthly))
	idle := f.saver("idle", "1000.00", "savings")
	busy := f.saver("busy", "1000.00", "savings")
	other := f.Open("other")
	for !f.Today.After(calendar.MustDate(2026, time.March, 31)) {
		if f.Today.Weekday() == time.Monday {
			f.Transfer(busy.ID, other.ID, "1.00")
		}
		sum := f.runEOD()
		require.Zero(t, sum.MarkedDormant, "nobody is dormant before 1 April (%s)", sum.Date)
	}
	sum := f.runEOD()
	require.Equal(t, 1, sum.MarkedDormant)
	require.Equal(t, ledger.StatusDormant, f.Account(idle.ID).Status)
	require.Equal(t, ledger.StatusActive, f.Account(busy.ID).Status)
	require.Equal(t, ledger.StatusActive, f.Account(other.ID).Status, "credits received count as activity")

	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: idle.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountDormant)
	f.Deposit(idle.ID, "5.00") // credits still arrive
	_, err = f.Svc.Unfreeze(f.Ctx, idle.ID)
	require.NoError(t, err, "staff reactivate it")
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: idle.ID, Amount: cny("1.00")})
	require.NoError(t, err)
}

func testProgress(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	f.saver("alice", "1000.00", "savings")
	f.runEOD()
	var steps []endofday.Step
	for _, p := range f.progress {
		if len(steps) == 0 || steps[len(steps)-1] != p.Step {
			steps = append(steps, p.Step)
		}
	}
	require.Equal(t, []endofday.Step{endofday.StepAccrual, endofday.StepBooking, endofday.StepMaturity,
		endofday.StepHolds, endofday.StepDormancy, endofday.StepAdvance}, steps)
	for _, p := range f.progress {
		require.Equal(t, start.Year(), p.Date.Year)
	}
	done := 0
	for _, p := range f.progress {
		if p.Step == endofday.StepAccrual {
			done = max(done, p.Done)
		}
	}
	require.Equal(t, 1, done, "one account accrued")
}
