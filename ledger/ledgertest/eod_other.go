package ledgertest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/stretchr/testify/require"
)

var eodOtherTests = []eodTest{
	{"HoldsExpireAtEndOfDay", testEODExpiresHolds},
	{"InactiveAccountsBecomeDormant", testDormancy},
	{"ProgressFollowsTheSteps", testProgress},
}

func testEODExpiresHolds(t *testing.T, f *eodFixture) {
	a := f.open("alice")
	f.deposit(a.ID, "100.00")
	expiring, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00"), ExpiresAt: start.Add(8 * time.Hour)})
	require.NoError(t, err)
	lasting, err := f.svc.PlaceHold(f.ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("20.00")})
	require.NoError(t, err)
	f.clock.Set(start.Add(9 * time.Hour)) // the evening of the first day
	sum := f.runEOD()
	require.Equal(t, 1, sum.HoldsExpired)
	h, err := f.svc.Hold(f.ctx, expiring.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldExpired, h.Status)
	h, err = f.svc.Hold(f.ctx, lasting.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.HoldActive, h.Status)
	f.requireBalance(a.ID, "100.00", "80.00")
}

// With a 30-day period, an account whose last customer activity was on 2
// March becomes dormant at the end of 1 April (2 March is then 31 days
// back); the monthly interest posting does not keep it alive, and a
// weekly transfer does.
func testDormancy(t *testing.T, f *eodFixture) {
	f.withOptions(ledger.WithDormancyAfter(30))
	f.setProduct("savings", product("0.0365", interest.Monthly))
	idle := f.saver("idle", "1000.00", "savings")
	busy := f.saver("busy", "1000.00", "savings")
	other := f.open("other")
	for !f.today.After(calendar.MustDate(2026, time.March, 31)) {
		if f.today.Weekday() == time.Monday {
			f.transfer(busy.ID, other.ID, "1.00")
		}
		sum := f.runEOD()
		require.Zero(t, sum.MarkedDormant, "nobody is dormant before 1 April (%s)", sum.Date)
	}
	sum := f.runEOD()
	require.Equal(t, 1, sum.MarkedDormant)
	require.Equal(t, ledger.StatusDormant, f.account(idle.ID).Status)
	require.Equal(t, ledger.StatusActive, f.account(busy.ID).Status)
	require.Equal(t, ledger.StatusActive, f.account(other.ID).Status, "credits received count as activity")

	_, err := f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: idle.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountDormant)
	f.deposit(idle.ID, "5.00") // credits still arrive
	_, err = f.svc.Unfreeze(f.ctx, idle.ID)
	require.NoError(t, err, "staff reactivate it")
	_, err = f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: idle.ID, Amount: cny("1.00")})
	require.NoError(t, err)
}

func testProgress(t *testing.T, f *eodFixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	f.saver("alice", "1000.00", "savings")
	f.runEOD()
	var steps []ledger.EndOfDayStep
	for _, p := range f.progress {
		if len(steps) == 0 || steps[len(steps)-1] != p.Step {
			steps = append(steps, p.Step)
		}
	}
	require.Equal(t, []ledger.EndOfDayStep{ledger.StepAccrual, ledger.StepBooking, ledger.StepMaturity,
		ledger.StepHolds, ledger.StepDormancy, ledger.StepAdvance}, steps)
	for _, p := range f.progress {
		require.Equal(t, start.Year(), p.Date.Year)
	}
	done := 0
	for _, p := range f.progress {
		if p.Step == ledger.StepAccrual {
			done = max(done, p.Done)
		}
	}
	require.Equal(t, 1, done, "one account accrued")
}
