package risktest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

func testLargeValue(t *testing.T, e *env) {
	// A rule set that blocks 3,000,000 or more, to show blocked transfers
	// are not reported (they never posted).
	d := simple()
	d.Rules[0] = risk.Rule{Name: "huge", Expr: "amount >= 3000000", Score: 100}
	e.publish(d)
	day := e.tx("a", "b", "1.00").BusinessDate
	// Cash: p deposits 30,000 + 20,000 = 50,000 (reported, at the
	// threshold); q deposits 49,999.99 (not).
	e.screen(e.deposit("p", "30000.00"))
	e.screen(e.deposit("p", "20000.00"))
	e.screen(e.deposit("q", "49999.99"))
	// Transfers: i (individual) sends 300,000 + 200,000 = 500,000 to j
	// domestically: i debit and j credit reported. k sends 200,000
	// cross-border: reported. o (non-individual) sends 1,999,999.99: not
	// reported; its payee z (individual) receives it: reported.
	e.screen(e.tx("i", "j", "300000.00"))
	e.screen(e.tx("i", "j", "200000.00"))
	x := e.tx("k", "ext", "200000.00")
	x.Kind, x.To = risk.KindPaymentOut, risk.Party{Account: "GB00X", External: true, Country: "GB"}
	e.screen(x)
	o := e.tx("o", "z", "1999999.99")
	o.From.CustomerKind = risk.NonIndividual
	e.screen(o)
	blocked := e.screen(e.tx("h", "b", "3000000.00"))
	require.Equal(t, risk.BlockAndReview, blocked.Outcome)
	// The next day's transactions are another report's.
	e.clock.Advance(24 * time.Hour)
	e.screen(e.deposit("p", "90000.00"))

	r, err := e.svc.LargeValueReport(e.ctx, day)
	require.NoError(t, err)
	type line struct {
		customer, category, direction, total string
		count                                int
	}
	var got []line
	for _, l := range r.Lines {
		got = append(got, line{l.CustomerID, string(l.Category), string(l.Direction), l.Total.ValueString(), l.Count})
	}
	require.Equal(t, []line{
		{"c-i", "transfer_domestic", "debit", "500000.00", 2},
		{"c-j", "transfer_domestic", "credit", "500000.00", 2},
		{"c-k", "transfer_cross_border", "debit", "200000.00", 1},
		{"c-p", "cash", "credit", "50000.00", 2},
		{"c-z", "transfer_domestic", "credit", "1999999.99", 1},
	}, got)
	again, err := e.svc.LargeValueReport(e.ctx, day)
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID, "a day's report is computed once")

	filed, err := e.svc.FileLargeValueReport(e.ctx, day)
	require.NoError(t, err)
	require.False(t, filed.FiledAt.IsZero())
	fl := e.filer.filed()
	require.Len(t, fl, 1)
	var doc struct {
		Format string                `json:"format"`
		Kind   string                `json:"kind"`
		Report risk.LargeValueReport `json:"report"`
	}
	require.NoError(t, json.Unmarshal(fl[0].Body, &doc))
	require.Equal(t, risk.DocumentFormat, doc.Format)
	require.Equal(t, "large_value", doc.Kind)
	require.Len(t, doc.Report.Lines, 5)
	_, err = e.svc.LargeValueReport(e.ctx, day.AddDays(-40))
	require.NoError(t, err) // an empty day has an empty report
}

func testSuspicious(t *testing.T, e *env) {
	e.publish(simple())
	d1 := e.screen(e.tx("a", "b", "1000.00"))
	e.screen(e.tx("a", "c", "2500.00"))
	cases, err := e.svc.Cases(e.ctx, risk.CaseFilter{CustomerID: "c-a"})
	require.NoError(t, err)
	c := cases[0]
	_, err = e.svc.DraftSuspiciousReport(e.ctx, c.ID, "two large transfers", "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidTransition, "the case is not closed as confirmed")
	_, err = e.svc.UpdateCase(e.ctx, c.ID, risk.CaseUpdate{Status: risk.CaseClosed, Outcome: risk.Confirmed}, "ivy")
	require.NoError(t, err)
	_, err = e.svc.DraftSuspiciousReport(e.ctx, c.ID, "", "ivy")
	require.ErrorIs(t, err, risk.ErrInvalidInput)
	r, err := e.svc.DraftSuspiciousReport(e.ctx, c.ID, "two large transfers to new payees", "ivy")
	require.NoError(t, err)
	require.Equal(t, "c-a", r.CustomerID)
	require.Equal(t, []string{"large"}, r.Rules)
	require.Len(t, r.Transactions, 2)
	require.Equal(t, d1.TransactionID, r.Transactions[0].ID)
	require.Equal(t, "3500.00 CNY", r.Total[0].String()) // 1,000 + 2,500
	again, err := e.svc.DraftSuspiciousReport(e.ctx, c.ID, "other words", "ivy")
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID)
	filed, err := e.svc.FileSuspiciousReport(e.ctx, r.ID)
	require.NoError(t, err)
	require.False(t, filed.FiledAt.IsZero())
	got, err := e.svc.SuspiciousReport(e.ctx, r.ID)
	require.NoError(t, err)
	require.False(t, got.FiledAt.IsZero())
}

func testIndicators(t *testing.T, e *env) {
	fx, err := e.svc.DefineIndicator(e.ctx, risk.IndicatorRequest{Name: "fx_usd", Figure: "ledger.fx_open_position.USD",
		Direction: risk.Above, Warning: dec("800000"), Breach: dec("1000000")})
	require.NoError(t, err)
	_, err = e.svc.DefineIndicator(e.ctx, risk.IndicatorRequest{Name: "coverage", Figure: "credit.provision_coverage",
		Direction: risk.Below, Warning: dec("1.8"), Breach: dec("1.5")})
	require.NoError(t, err)
	_, err = e.svc.DefineIndicator(e.ctx, risk.IndicatorRequest{Name: "fx_usd", Figure: "x.y", Direction: risk.Above, Warning: dec("1"), Breach: dec("2")})
	require.ErrorIs(t, err, risk.ErrDuplicate)
	_, err = e.svc.DefineIndicator(e.ctx, risk.IndicatorRequest{Name: "bad", Figure: "x.y", Direction: risk.Above, Warning: dec("2"), Breach: dec("1")})
	require.ErrorIs(t, err, risk.ErrInvalidInput)

	check := func() []risk.Crossing {
		t.Helper()
		c, err := e.svc.CheckIndicators(e.ctx)
		require.NoError(t, err)
		return c
	}
	e.figures.Set("ledger.fx_open_position.USD", "500000")
	e.figures.Set("credit.provision_coverage", "2.1")
	require.Empty(t, check())
	e.figures.Set("ledger.fx_open_position.USD", "900000") // warning
	c := check()
	require.Len(t, c, 1)
	require.Equal(t, risk.LevelWarning, c[0].To)
	require.Empty(t, check(), "staying at warning raises nothing more")
	e.figures.Set("ledger.fx_open_position.USD", "1000000") // breach, at the threshold
	e.figures.Set("credit.provision_coverage", "1.5")       // breach, at the threshold
	require.Len(t, check(), 2)
	require.Empty(t, check())
	e.figures.Set("ledger.fx_open_position.USD", "100") // cleared
	c = check()
	require.Len(t, c, 1)
	require.Equal(t, risk.LevelNormal, c[0].To)
	require.Equal(t, risk.LevelBreach, c[0].From)

	alerts, err := e.svc.Alerts(e.ctx, risk.AlertFilter{})
	require.NoError(t, err)
	require.Len(t, alerts, 3, "warning and breach of fx_usd, breach of coverage; none for clearing")
	got, err := e.svc.Indicator(e.ctx, fx.ID)
	require.NoError(t, err)
	require.Equal(t, risk.LevelNormal, got.Level)
	require.Equal(t, "100", got.Value.String())

	// A limit change: the new thresholds decide the next check. Bad
	// thresholds change nothing.
	_, err = e.svc.SetThresholds(e.ctx, fx.ID, dec("90"), dec("50"))
	require.ErrorIs(t, err, risk.ErrInvalidInput)
	_, err = e.svc.SetThresholds(e.ctx, risk.NewID(), dec("1"), dec("2"))
	require.ErrorIs(t, err, risk.ErrNotFound)
	got, err = e.svc.Indicator(e.ctx, fx.ID)
	require.NoError(t, err)
	require.Equal(t, "800000", got.Warning.String())
	lowered, err := e.svc.SetThresholds(e.ctx, fx.ID, dec("50"), dec("90"))
	require.NoError(t, err)
	require.Equal(t, "50", lowered.Warning.String())
	require.Equal(t, "90", lowered.Breach.String())
	require.Equal(t, risk.LevelNormal, lowered.Level, "the level waits for the next check")
	c = check()
	require.Len(t, c, 1)
	require.Equal(t, risk.LevelBreach, c[0].To, "100 is above the new breach of 90")

	// A figure that cannot be read leaves its indicator alone.
	_, err = e.svc.DefineIndicator(e.ctx, risk.IndicatorRequest{Name: "logins", Figure: "channel.failed_logins_1h",
		Direction: risk.Above, Warning: dec("100"), Breach: dec("500")})
	require.NoError(t, err)
	_, err = e.svc.CheckIndicators(e.ctx)
	require.ErrorIs(t, err, risk.ErrNotFound)
}

func testEvents(t *testing.T, e *env) {
	e.publish(simple())
	e.screen(e.tx("a", "b", "5000.00"))
	var types []string
	require.NoError(t, e.svc.Events().Subscribe(e.ctx, "test", func(_ context.Context, ev event.Envelope) error {
		types = append(types, ev.Type)
		return nil
	}))
	_, err := e.svc.Events().Deliver(e.ctx)
	require.NoError(t, err)
	require.Equal(t, []string{risk.EventRuleSetChanged, risk.EventRuleSetChanged, risk.EventAlertRaised}, types)
}

// fakeRates converts at fixed middle rates to USD; a currency without one
// cannot be converted.
type fakeRates map[money.Currency]string

func (f fakeRates) Rate(_ context.Context, from, to money.Currency, _ time.Time) (decimal.Decimal, error) {
	r, ok := f[from]
	if !ok || to != money.USD {
		return decimal.Zero, fmt.Errorf("no rate %s/%s", from, to)
	}
	return decimal.RequireFromString(r), nil
}

// testLargeValueForeign: foreign-currency transactions count against the
// foreign thresholds (USD 10,000 equivalent for cash) on lines of their
// own, converted through the FXRates port; a rate that cannot be read
// fails the report and keeps nothing.
func testLargeValueForeign(t *testing.T, e *env) {
	svc, err := risk.NewService(e.store, risk.WithClock(e.clock), risk.WithRuleSetRefresh(0),
		risk.WithFXRates(fakeRates{money.EUR: "1.10"}))
	require.NoError(t, err)
	e.publish(simple())
	in := func(to, amount string, ccy money.Currency) {
		d := e.deposit(to, "1.00")
		d.Amount = money.MustParse(amount, string(ccy))
		_, err := svc.Screen(e.ctx, d, "")
		require.NoError(t, err)
	}
	day := e.tx("a", "b", "1.00").BusinessDate
	in("p", "6000.00", money.USD)
	in("p", "4000.00", money.USD)  // USD 10,000: reported
	in("p", "50000.00", money.CNY) // CNY 50,000: reported, a line of its own
	in("q", "9000.00", money.EUR)  // USD 9,900: not
	in("r", "9100.00", money.EUR)  // USD 10,010: reported
	r, err := svc.LargeValueReport(e.ctx, day)
	require.NoError(t, err)
	type line struct{ customer, category, total, threshold string }
	var got []line
	for _, l := range r.Lines {
		got = append(got, line{l.CustomerID, string(l.Category), l.Total.String(), l.Threshold.String()})
	}
	require.Equal(t, []line{
		{"c-p", "cash", "50000.00 CNY", "50000.00 CNY"},
		{"c-p", "cash", "10000.00 USD", "10000.00 USD"},
		{"c-r", "cash", "10010.00 USD", "10000.00 USD"},
	}, got)
	require.NotNil(t, r.Thresholds.Foreign)
	require.Equal(t, money.USD, r.Thresholds.Foreign.Currency)

	// The next day a JPY deposit has no rate: the report fails, nothing
	// is kept, and it is computed once a rate is there.
	e.clock.Advance(24 * time.Hour)
	next := e.tx("a", "b", "1.00").BusinessDate
	in("s", "2000000", money.JPY)
	_, err = svc.LargeValueReport(e.ctx, next)
	require.ErrorIs(t, err, risk.ErrUnavailable)
	_, err = e.store.LargeValueReport(e.ctx, next)
	require.ErrorIs(t, err, risk.ErrNotFound)
	svc2, err := risk.NewService(e.store, risk.WithClock(e.clock), risk.WithFXRates(fakeRates{money.JPY: "0.0070"}))
	require.NoError(t, err)
	r, err = svc2.LargeValueReport(e.ctx, next)
	require.NoError(t, err)
	require.Len(t, r.Lines, 1)
	require.Equal(t, "14000.00 USD", r.Lines[0].Total.String())
}
