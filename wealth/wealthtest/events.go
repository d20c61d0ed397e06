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

// testStatementSnapshot: the end of day of the month's last business day
// snapshots the holdings, and the month's statement reads the snapshot:
// income reinvested and units bought after the month end are not in it
// (the reconstruction from today's holdings would keep April's income),
// in the data, the HTML and the PDF; running that end of day again leaves
// the snapshot as it was.
func testStatementSnapshot(t *testing.T, e *Env) {
	p := e.CashManagement("SNAP", wealth.IncomeReinvest)
	c, acct := e.Customer("20000.00", 3)
	e.Subscribe(c, acct, p, "10000.00", "s1")
	e.Income(p, "2026-03-02", "0")
	e.EOD("2026-03-02")
	e.At("2026-03-31", 10, 0)
	e.Income(p, "2026-03-31", "0.5000")
	sum := e.EOD("2026-03-31") // Tuesday; April 1st is the next business day
	require.Equal(t, 1, sum.Snapshotted)
	e.Units("10000.5", e.Holding(c, p).Units)

	e.At("2026-04-01", 10, 0)
	e.Subscribe(c, acct, p, "1000.00", "s2")
	e.Income(p, "2026-04-01", "0.5000")
	e.EOD("2026-04-01")
	e.Units("11001", e.Holding(c, p).Units) // 10,000.50 + 0.50 income + 1,000
	require.Zero(t, e.EOD("2026-03-31").Snapshotted, "a finished month is not taken again")

	st, err := e.Svc.Statement(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Len(t, st.Positions, 1)
	e.Units("10000.5", st.Positions[0].Units)
	e.Money("10000.50", st.Positions[0].Cost)
	e.Money("10000.50", st.Positions[0].MarketValue)
	e.Money("0.50", st.Positions[0].Income)
	html, err := e.Svc.StatementHTML(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Contains(t, string(html.Body), "10000.50 CNY")
	pdf, err := e.Svc.StatementPDF(e.Ctx, c, "2026-03")
	require.NoError(t, err)
	require.Equal(t, "%PDF-", string(pdf.Body[:5]))
	// April is in progress: today's holdings.
	st, err = e.Svc.Statement(e.Ctx, c, "2026-04")
	require.NoError(t, err)
	e.Units("11001", st.Positions[0].Units)
}
