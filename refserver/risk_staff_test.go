package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/risk"
)

// TestStaffBehaviourThroughRules: the observer evaluates the staff audit
// trail with the published rule set (the starter rules' staff checks):
// a teller's 21st full-PII read in an hour raises one alert in the
// teller's case, 20 do not, and an action at 20:05 raises one more; the
// cursor moves with each batch, so a second run evaluates nothing.
func TestStaffBehaviourThroughRules(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// Monday 2026-03-09 18:30 in Beijing: working hours.
			clock := calendar.NewManualClock(time.Date(2026, time.March, 9, 18, 30, 0, 0, bankZone))
			b := newBankWithClock(t, storage, clock)
			svc := b.srv.riskState.svc
			v, err := svc.CreateDraft(ctx, risk.StarterRules(), "test")
			require.NoError(t, err)
			_, err = svc.Publish(ctx, v.ID, "test")
			require.NoError(t, err)
			officer := b.staff("risk_officer")
			teller, tellerID := b.staffMember("teller")
			cust := b.must(201, b.do("POST", "/v1/customers", teller, customerBody())).str("id")
			staffAlerts := func() []risk.Alert {
				as, err := svc.Alerts(ctx, risk.AlertFilter{CustomerID: "staff:" + tellerID, Limit: 100})
				require.NoError(t, err)
				return as
			}
			for range 20 {
				b.must(200, b.do("GET", "/v1/customers/"+cust+"?reveal=national_id&reason=check", teller, nil))
				clock.Advance(time.Minute)
			}
			run := b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			require.Positive(t, run.body["staff_actions"], string(run.raw))
			require.Empty(t, staffAlerts(), "20 reveals in the hour are not more than 20")

			b.must(200, b.do("GET", "/v1/customers/"+cust+"?reveal=national_id&reason=check", teller, nil))
			b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			as := staffAlerts()
			require.Len(t, as, 1)
			require.Equal(t, []string{"staff_pii_reveals"}, as[0].Rules)
			require.Equal(t, risk.Review, as[0].Outcome)

			// 20:05: outside working hours.
			clock.Advance(75 * time.Minute)
			b.must(200, b.do("GET", "/v1/customers/"+cust, teller, nil))
			b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			as = staffAlerts()
			require.Len(t, as, 2)
			require.Equal(t, []string{"staff_outside_hours"}, as[1].Rules)
			require.Equal(t, as[0].CaseID, as[1].CaseID, "one case for the teller")

			again := b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			// Only the officer's own run request is new.
			require.Equal(t, float64(1), again.body["staff_actions"], string(again.raw))
		})
	}
}
