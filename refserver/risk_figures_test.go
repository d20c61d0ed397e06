package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// The loan book's, the fleet's and the login path's figures, read by
// risk's indicators, agree with the reports they come from, on the demo
// bank (a book with a loan over 90 days past due). Memory only: the
// figures are computed here from credit's and channel's queries, whose
// stores the contract suites check on both backends.
func TestBookFiguresAgreeWithTheirReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, err := New(ctx, Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Demo: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	figure := func(name string) decimal.Decimal {
		v, err := srv.riskState.figures.Figure(ctx, name)
		require.NoError(t, err, name)
		return v
	}

	// Non-performing loans (substandard and worse) over the book, and
	// provisions over them, from the provisions report.
	var total, npl, provision decimal.Decimal
	for _, l := range b.must(200, b.do("GET", "/v1/credit/reports/provisions", testAdminToken, nil)).body["items"].([]any) {
		line := l.(map[string]any)
		if line["currency"] != "CNY" {
			continue
		}
		out := decimal.RequireFromString(line["outstanding"].(map[string]any)["value"].(string))
		total = total.Add(out)
		provision = provision.Add(decimal.RequireFromString(line["provision"].(map[string]any)["value"].(string)))
		switch line["classification"] {
		case "substandard", "doubtful", "loss":
			npl = npl.Add(out)
		}
	}
	require.True(t, npl.IsPositive(), "the demo book has a loan over 90 days past due")
	require.True(t, total.GreaterThan(npl), "and performing loans")
	require.Equal(t, npl.DivRound(total, 6).String(), figure("credit.npl_ratio.CNY").String())
	require.Equal(t, provision.DivRound(npl, 6).String(), figure("credit.provision_coverage.CNY").String())
	_, err = srv.riskState.figures.Figure(ctx, "credit.provision_coverage.USD")
	require.ErrorIs(t, err, errNoNonPerforming, "no USD loans: no coverage to read, the indicator keeps its level")
	require.True(t, figure("credit.npl_ratio.USD").IsZero())

	top := b.must(200, b.do("GET", "/v1/credit/reports/concentration?by=customer&top=1", testAdminToken, nil)).body["items"].([]any)
	require.NotEmpty(t, top)
	require.Equal(t, decimal.RequireFromString(top[0].(map[string]any)["share"].(string)).String(),
		figure("credit.top_customer_share.CNY").String())

	// The demo fleet has cash; a device loaded below its low mark counts.
	require.True(t, figure("atm.devices_short_of_cash").IsZero())
	today, err := srv.ledger.BusinessDate(ctx)
	require.NoError(t, err)
	a, _, err := srv.fleet.Register(ctx, channel.NewATM{ID: "LOW-1", Branch: "Test", Address: "1 Test Road", Latitude: decimal.Zero, Longitude: decimal.Zero, Model: "T",
		Cassettes: []channel.Cassette{{Currency: "CNY", Denomination: decimal.NewFromInt(100), Capacity: 2500, LowAt: 250}}})
	require.NoError(t, err)
	r, err := srv.fleet.ScheduleReplenishment(ctx, a.ID, today, []channel.ReplenishmentLine{{Currency: "CNY", Denomination: decimal.NewFromInt(100), Count: 100}})
	require.NoError(t, err)
	_, err = srv.fleet.LoadReplenishment(ctx, r.ID)
	require.NoError(t, err)
	_, err = srv.fleet.ConfirmReplenishment(ctx, a.ID, r.ID, []int{100})
	require.NoError(t, err)
	require.Equal(t, "1", figure("atm.devices_short_of_cash").String())

	// Refused logins count; a successful one does not.
	before := figure("channel.failed_logins_last_hour")
	for range 3 {
		b.must(401, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "wangfang", "password": "not her password"}))
	}
	b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "wangfang", "password": DemoPassword}))
	require.Equal(t, before.Add(decimal.NewFromInt(3)).String(), figure("channel.failed_logins_last_hour").String())
}

// The failed-login window holds the current minute and the 59 before it,
// and a slot reused an hour later starts from zero.
func TestLoginFailuresWindow(t *testing.T) {
	var f loginFailures
	t0 := time.Date(2026, 12, 4, 10, 0, 30, 0, time.UTC)
	f.add(t0)
	f.add(t0.Add(20 * time.Minute))
	f.add(t0.Add(20 * time.Minute))
	require.Equal(t, 3, f.count(t0.Add(20*time.Minute)))
	require.Equal(t, 3, f.count(t0.Add(59*time.Minute)), "10:00 is still in the hour 10:00-10:59")
	require.Equal(t, 2, f.count(t0.Add(60*time.Minute)), "at 11:00 the minute 10:00 has left the window")
	f.add(t0.Add(60 * time.Minute)) // the slot of 10:00 again, an hour on
	require.Equal(t, 3, f.count(t0.Add(60*time.Minute)), "the reused slot counts only 11:00's")
	require.Equal(t, 0, f.count(t0.Add(3*time.Hour)))
	require.Equal(t, 0, f.count(t0.Add(-time.Hour)), "nothing counts before it happened")
}
