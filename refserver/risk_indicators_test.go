package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/risk"
)

// TestRiskIndicatorsOnScheduleAndAtEndOfDay: the server's timer and the
// end-of-day step "risk.indicators" check the indicators; a crossing
// raises one alert however often it is checked, and clears when the
// figure is back inside.
func TestRiskIndicatorsOnScheduleAndAtEndOfDay(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := newBank(t, storage)
			teller, officer := b.staff("teller"), b.staff("risk_officer")
			ind := b.must(201, b.do("POST", "/v1/risk/indicators", officer, map[string]any{"name": "backlog", "figure": "risk.case_backlog",
				"direction": "above", "warning": "1", "breach": "5"}))
			level := func() string {
				i, err := b.srv.riskState.svc.Indicator(ctx, uuid.MustParse(ind.str("id")))
				require.NoError(t, err)
				return string(i.Level)
			}
			indicatorAlerts := func() int {
				as, err := b.srv.riskState.svc.Alerts(ctx, risk.AlertFilter{})
				require.NoError(t, err)
				n := 0
				for _, a := range as {
					if a.Source == risk.SourceIndicator {
						n++
					}
				}
				return n
			}
			endOfDay := func() {
				for _, step := range b.srv.endOfDaySteps() {
					if step.Name == "risk.indicators" {
						require.NoError(t, step.Run(ctx, calendar.DateOf(b.srv.clock.Now())))
						return
					}
				}
				t.Fatal("no risk.indicators step")
			}

			// A case opens: the backlog reaches the warning.
			v := b.must(201, b.do("POST", "/v1/risk/rule-sets", officer, twoRules()))
			b.must(200, b.do("POST", "/v1/risk/rule-sets/"+v.str("id")+"/publish", officer, nil))
			alice := b.onboard(teller)
			from, to := b.openAccount(teller, alice), b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": cny("5000.00")}))
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("1500.00")}))
			require.NotEqual(t, "warning", level(), "not checked yet")

			stop := b.srv.startRiskIndicators(ctx, 10*time.Millisecond)
			require.Eventually(t, func() bool { return level() == "warning" }, 10*time.Second, 10*time.Millisecond, "the timer checks")
			time.Sleep(50 * time.Millisecond) // several more checks
			stop()
			require.Equal(t, 1, indicatorAlerts(), "one alert for the crossing, however often checked")
			endOfDay()
			require.Equal(t, "warning", level())
			require.Equal(t, 1, indicatorAlerts())

			// The case closes: end of day clears the indicator, no alert.
			cs := b.must(200, b.do("GET", "/v1/risk/cases?customer_id="+alice, officer, nil)).body["items"].([]any)
			require.Len(t, cs, 1)
			b.must(200, b.do("POST", "/v1/risk/cases/"+cs[0].(map[string]any)["id"].(string)+"/updates", officer,
				map[string]any{"status": "closed", "outcome": "false_positive"}))
			endOfDay()
			require.Equal(t, "normal", level())
			require.Equal(t, 1, indicatorAlerts())
			// Crossing again raises a new alert.
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("1500.00")}))
			endOfDay()
			require.Equal(t, "warning", level())
			require.Equal(t, 2, indicatorAlerts())
		})
	}
}
