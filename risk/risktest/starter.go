package risktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// Each starter rule has a stream that must fire it and a near miss that
// must not. Amounts are chosen so that no other starter rule fires.

func testManyOutgoing(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Fires: five transfers from a, a minute apart: the fifth sees 5 in
	// its 10-minute window.
	for i := range 5 {
		d := e.screen(e.tx("a", "b", "100.00"))
		if i < 4 {
			require.Empty(t, d.Fired, "transfer %d", i+1)
		} else {
			require.Equal(t, []string{"many_outgoing"}, fired(d))
			require.Equal(t, "5", d.Figures["out_transfers_10m"])
			require.Equal(t, risk.Review, d.Outcome) // 40 >= review 40
		}
		e.clock.Advance(time.Minute)
	}
	// Near miss: five transfers from c, three minutes apart: the fifth,
	// at minute 12, sees those of minutes 3, 6, 9 and 12 (4).
	for range 5 {
		d := e.screen(e.tx("c", "b", "100.00"))
		require.Empty(t, d.Fired)
		e.clock.Advance(3 * time.Minute)
	}
}

func testStructuring(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Fires: three cash deposits of 48,000 into s's account within a day.
	for i := range 3 {
		d := e.screen(e.deposit("s", "48000.00"))
		if i < 2 {
			require.Empty(t, d.Fired)
		} else {
			require.Equal(t, []string{"structuring"}, fired(d))
		}
		e.clock.Advance(2 * time.Hour)
	}
	// Near miss: 48,000, 44,000 (below the band) and 50,000 (at the
	// threshold, reported anyway): only one deposit in the band.
	for _, amt := range []string{"48000.00", "44000.00", "50000.00", "49999.99"} {
		d := e.screen(e.deposit("n", amt))
		require.Empty(t, d.Fired, amt)
		e.clock.Advance(time.Hour)
	}
}

func testNewPayee(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	require.Empty(t, e.screen(e.tx("a", "q", "100.00")).Fired) // a has paid out before
	e.clock.Advance(time.Hour)
	// Fires: a pays 60,000 to p, never paid before.
	d := e.screen(e.tx("a", "p", "60000.00"))
	require.Equal(t, []string{"new_payee_large"}, fired(d))
	require.Equal(t, "1", d.Figures["pair_90d"])
	e.clock.Advance(time.Hour)
	// Near miss: a pays q (paid an hour ago) 60,000.
	d = e.screen(e.tx("a", "q", "60000.00"))
	require.Empty(t, d.Fired)
	require.Equal(t, "2", d.Figures["pair_90d"])
	// Near miss: a new payee, 49,999.99.
	require.Empty(t, e.screen(e.tx("a", "r", "49999.99")).Fired)
}

func testDormant(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	require.Empty(t, e.screen(e.tx("f", "g", "100.00")).Fired) // f is active
	e.clock.Advance(30 * 24 * time.Hour)
	// Fires: d, opened 2025-01-01, pays out 25,000 with nothing paid out
	// in 90 days.
	d := e.screen(e.tx("d", "g", "25000.00"))
	require.Equal(t, []string{"dormant_reactivated"}, fired(d))
	// Near miss: f paid out 30 days ago.
	require.Empty(t, e.screen(e.tx("f", "g", "25000.00")).Fired)
	// Near miss: a young account (opened 60 days ago).
	young := e.tx("y", "g", "25000.00")
	young.From.OpenedOn = young.BusinessDate.AddDays(-60)
	require.Empty(t, e.screen(young).Fired)
}

func testUnusualHour(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Ten days of paying at 10:00 Shanghai time.
	for range 10 {
		require.Empty(t, e.screen(e.tx("u", "v", "100.00")).Fired)
		require.Empty(t, e.screen(e.tx("w", "v", "100.00")).Fired)
		e.clock.Advance(24 * time.Hour)
	}
	// Near miss: w pays 6,000 at 10:30, its usual hour.
	e.clock.Advance(30 * time.Minute)
	d := e.screen(e.tx("w", "v", "6000.00"))
	require.Empty(t, d.Fired)
	require.Equal(t, "11", d.Figures["customer_out_hour_90d"])
	// Fires: u pays 6,000 at 03:30 the next night.
	e.clock.Advance(17 * time.Hour)
	require.Equal(t, 3, e.clock.Now().In(shanghai).Hour())
	d = e.screen(e.tx("u", "v", "6000.00"))
	require.Equal(t, []string{"unusual_hour"}, fired(d))
	require.Equal(t, "11", d.Figures["customer_out_90d"])
	require.Equal(t, "1", d.Figures["customer_out_hour_90d"])
	// Near miss: 4,999.99 at the unusual hour.
	require.Empty(t, e.screen(e.tx("w", "v", "4999.99")).Fired)
}

func testRoundTrip(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	require.Empty(t, e.screen(e.tx("a", "b", "15000.00")).Fired)
	require.Empty(t, e.screen(e.tx("c", "d", "15000.00")).Fired)
	e.clock.Advance(2 * time.Hour)
	// Fires: b sends 12,000 back to a two hours later.
	d := e.screen(e.tx("b", "a", "12000.00"))
	require.Equal(t, []string{"round_trip"}, fired(d))
	// Near miss: d sends back 25 hours after c paid it.
	e.clock.Advance(23 * time.Hour)
	require.Empty(t, e.screen(e.tx("d", "c", "12000.00")).Fired)
	// Near miss: onward to a third account, not back.
	require.Empty(t, e.screen(e.tx("b", "x", "12000.00")).Fired)
}

func testMule(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Fires: five different senders into m within a day.
	for i, s := range []string{"s1", "s2", "s3", "s4", "s5"} {
		d := e.screen(e.tx(s, "m", "100.00"))
		if i < 4 {
			require.Empty(t, d.Fired)
		} else {
			require.Equal(t, []string{"mule_many_senders"}, fired(d))
			require.Equal(t, "5", d.Figures["senders_24h"])
		}
		e.clock.Advance(10 * time.Minute)
	}
	// Near miss: four senders into n, twice each.
	for range 2 {
		for _, s := range []string{"t1", "t2", "t3", "t4"} {
			require.Empty(t, e.screen(e.tx(s, "n", "100.00")).Fired)
			e.clock.Advance(10 * time.Minute)
		}
	}
}

// staff is a staff action by actor at the clock's time (a record of the
// staff audit trail, as the reference server observes it).
func (e *env) staff(actor, action string, pii, team bool) risk.Transaction {
	who := risk.Party{Account: "staff:" + actor, Customer: "staff:" + actor}
	return risk.Transaction{ID: risk.NewID(), Kind: risk.KindStaff, Amount: money.Zero(money.CNY), From: who,
		Channel: "staff", At: e.clock.Now(), BusinessDate: calendar.DateOf(e.clock.Now().In(shanghai)),
		Staff: &risk.StaffAction{Action: action, Status: 200, PII: pii, TeamApproval: team}}
}

func (e *env) observe(t risk.Transaction) risk.Decision {
	e.t.Helper()
	v, err := e.svc.Observe(e.ctx, t)
	require.NoError(e.t, err)
	return v.Decision
}

func testStaffPIIReveals(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Fires: s1 reveals personal data 21 times two minutes apart (with
	// ordinary reads between, which do not count): the 21st, at minute
	// 40, is more than 20 in the hour; the 22nd does not fire again.
	for i := range 22 {
		require.Empty(t, e.observe(e.staff("s1", "customers.read", false, false)).Fired)
		d := e.observe(e.staff("s1", "customers.read", true, false))
		if i == 20 {
			require.Equal(t, []string{"staff_pii_reveals"}, fired(d), "reveal %d", i+1)
			require.Equal(t, "21", d.Figures["staff_pii_1h"])
			require.Equal(t, risk.Review, d.Outcome)
			require.NotEqual(t, risk.NilID, d.AlertID)
		} else {
			require.Empty(t, d.Fired, "reveal %d", i+1)
		}
		e.clock.Advance(2 * time.Minute)
	}
	alerts, err := e.svc.Alerts(e.ctx, risk.AlertFilter{CustomerID: "staff:s1"})
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	// Near miss: s2 reveals 40 times four minutes apart: never more than
	// 16 in any hour.
	for i := range 40 {
		require.Empty(t, e.observe(e.staff("s2", "customers.read", true, false)).Fired, "reveal %d", i+1)
		e.clock.Advance(4 * time.Minute)
	}
}

func testStaffOutsideHours(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Near miss: s4 acts at 10:00 (start), 08:00 and 19:59 on weekdays.
	require.Empty(t, e.observe(e.staff("s4", "accounts.read", false, false)).Fired)
	e.clock.Advance(22 * time.Hour) // Tuesday 08:00
	require.Empty(t, e.observe(e.staff("s4", "accounts.read", false, false)).Fired)
	e.clock.Advance(11*time.Hour + 59*time.Minute) // Tuesday 19:59
	require.Empty(t, e.observe(e.staff("s4", "accounts.read", false, false)).Fired)
	// Fires: s3's first action at 21:00 on Tuesday; its next, at 21:30
	// and 07:00, do not fire again (one alert a night).
	e.clock.Advance(61 * time.Minute) // Tuesday 21:00
	d := e.observe(e.staff("s3", "accounts.freeze", false, false))
	require.Equal(t, []string{"staff_outside_hours"}, fired(d))
	require.Equal(t, risk.Review, d.Outcome)
	e.clock.Advance(30 * time.Minute)
	require.Empty(t, e.observe(e.staff("s3", "accounts.read", false, false)).Fired)
	e.clock.Advance(9*time.Hour + 30*time.Minute) // Wednesday 07:00
	require.Empty(t, e.observe(e.staff("s3", "accounts.read", false, false)).Fired)
	// A Saturday at 11:00 is outside working hours.
	e.clock.Advance(3*24*time.Hour + 4*time.Hour)
	require.Equal(t, time.Saturday, e.clock.Now().In(shanghai).Weekday())
	require.Equal(t, []string{"staff_outside_hours"}, fired(e.observe(e.staff("s4", "accounts.read", false, false))))
}

func testStaffTeamApprovals(t *testing.T, e *env) {
	e.publish(risk.StarterRules())
	// Fires: s5 approves 11 requests of their own team within an hour.
	for i := range 11 {
		d := e.observe(e.staff("s5", "approvals.approve", false, true))
		if i == 10 {
			require.Equal(t, []string{"staff_team_approvals"}, fired(d))
			require.Equal(t, "11", d.Figures["staff_team_approvals_1h"])
		} else {
			require.Empty(t, d.Fired, "approval %d", i+1)
		}
		e.clock.Advance(3 * time.Minute)
	}
	// Near miss: s6 approves 10 of their team's and 10 of other teams'
	// requests in the hour.
	for i := range 10 {
		require.Empty(t, e.observe(e.staff("s6", "approvals.approve", false, true)).Fired, "team approval %d", i+1)
		require.Empty(t, e.observe(e.staff("s6", "approvals.approve", false, false)).Fired, "other approval %d", i+1)
		e.clock.Advance(2 * time.Minute)
	}
}
