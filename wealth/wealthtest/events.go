package wealthtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/wealth"
)

func testEvents(t *testing.T, e *Env) {
	p := e.OpenEnded("EVT")
	c, acct := e.Customer("20000.00", 3)
	e.Subscribe(c, acct, p, "10000.00", "s")
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	e.At("2026-03-03", 10, 0)
	e.Redeem(c, acct, p, "100", "r", false)
	e.NAV(p, "2026-03-03", "1.0000")
	e.EOD("2026-03-03")
	e.EOD("2026-03-05")
	evs, err := e.Store.Events().Read(e.Ctx, 0, 100)
	require.NoError(t, err)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{wealth.EventProductCreated, wealth.EventAssessed, wealth.EventOrderPlaced, wealth.EventNAVPublished,
		wealth.EventOrderConfirmed, wealth.EventOrderPlaced, wealth.EventNAVPublished, wealth.EventOrderConfirmed, wealth.EventRedemptionPaid}, types)
	for i := 1; i < len(evs); i++ {
		require.Greater(t, evs[i].Sequence, evs[i-1].Sequence)
	}
}

func testStatement(t *testing.T, e *Env) {
	p := e.OpenEnded("STM")
	c, acct := e.Customer("20000.00", 3)
	e.Subscribe(c, acct, p, "10000.00", "s")
	e.NAV(p, "2026-03-02", "1.0250")
	e.EOD("2026-03-02")
	e.At("2026-03-31", 10, 0)
	e.NAV(p, "2026-03-31", "1.0300")
	e.At("2026-04-02", 10, 0)
	e.Redeem(c, acct, p, "1000", "r", false)
	e.NAV(p, "2026-04-02", "1.0400")
	e.EOD("2026-04-02")
	// March: 9,611.92 units at 1.0300 (03-31) = 9900.2776 -> 9,900.28;
	// the April redemption is put back.
	st, err := e.Svc.Statement(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Equal(t, Date("2026-03-31"), st.To)
	require.Len(t, st.Positions, 1)
	e.Units("9611.92", st.Positions[0].Units)
	e.Money("9900.28", st.Positions[0].MarketValue)
	e.Money("9852.22", st.Positions[0].Cost)
	require.Len(t, st.Orders, 1)
	html, err := e.Svc.StatementHTML(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Contains(t, string(html.Body), "Wealth statement 2026-03")
	require.Contains(t, string(html.Body), "9900.28 CNY")
	pdf, err := e.Svc.StatementPDF(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Equal(t, "%PDF-", string(pdf.Body[:5]))
	again, err := e.Svc.StatementPDF(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Equal(t, pdf.SHA256, again.SHA256, "the same statement renders to the same bytes")
	_, err = e.Svc.Statement(e.Ctx, c, "2026-13")
	requireField(t, err, "month")
	_, err = e.Svc.Statement(e.Ctx, c, "2026-05")
	requireField(t, err, "month")
}
