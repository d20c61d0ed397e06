package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// chineseTests are the deposit conventions of Chinese banks: the PBoC's
// settlement of demand deposits on the 20th, time-deposit interest by
// term, early and partial early withdrawal, and the classic RMB products.
var chineseTests = []test{
	{Name: "DemandSettledOnThe20thCreditedOnThe21st", Run: testSettlementOnThe20th},
}

// pbocDemand is a demand deposit as the People's Bank of China settles
// it (《人民币单位存款管理办法》; 银发〔2005〕129号): 0.35% a year, a day's
// interest being the annual rate / 360, settled quarterly on the 20th of
// the last month of each quarter and credited on the 21st.
func pbocDemand() interest.Product {
	p := product("0.0035", interest.Quarterly)
	p.DayCount = money.Act360
	p.Settlement = interest.Cycle{Day: 20}
	p.PayNextDay = true
	return p
}

// 10 000.00 from Monday 2 March 2026 to Friday 20 March is 19 days:
// 10000 × 0.0035 × 19 / 360 = 665 / 360 = 1.847222... → 1.85 (carry
// -0.002777...), credited with value date Saturday 21 March. From the 21st
// the balance 10 001.85 earns 10001.85 × 0.0035 / 360 = 0.09724020833...
// a day: 12 days to 1 April are 420.0777 / 360 = 1.1668825. Nothing is
// posted on 31 March, the calendar quarter end.
func testSettlementOnThe20th(t *testing.T, f *fixture) {
	f.setProduct("demand", pbocDemand())
	a := f.saver("alice", "10000.00", "demand")
	f.runThrough(calendar.MustDate(2026, time.March, 19))
	require.Empty(t, f.interestLines(a.ID))

	sum := f.runEOD() // Friday 20 March: accrues the 20th, posts, accrues the weekend
	require.Equal(t, 1, sum.Postings)
	require.True(t, cny("1.85").Equal(sum.InterestPosted[money.CNY]), "posted %v", sum.InterestPosted)
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 1)
	require.Equal(t, calendar.MustDate(2026, time.March, 21), lines[0].ValueDate)
	require.Equal(t, "1.85", lines[0].Amount.ValueString())
	require.Equal(t, "Interest 2026-03-02 to 2026-03-20", lines[0].Description)
	on20, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.MustDate(2026, time.March, 20))
	require.NoError(t, err)
	require.Equal(t, "10000.00", on20.ValueString())
	on21, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.MustDate(2026, time.March, 21))
	require.NoError(t, err)
	require.Equal(t, "10001.85", on21.ValueString())

	f.runThrough(calendar.MustDate(2026, time.April, 1))
	require.Len(t, f.interestLines(a.ID), 1, "no settlement on the calendar quarter end")
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.March, 21), ia.Accrual.PeriodStart)
	require.Equal(t, 12, ia.Accrual.Days)
	requireDec(t, dec("1.1668825"), ia.Accrual.Credit.Round(10), "21 March to 1 April")
	requireDec(t, dec("-0.0027777778"), ia.Accrual.CreditCarry.Round(10), "carry of the first settlement")
	f.RequireTrialBalanced()

	got, err := f.eod.InterestProduct(f.Ctx, "demand")
	require.NoError(t, err)
	require.Equal(t, interest.Cycle{Day: 20}, got.Settlement, "the store keeps the settlement cycle")
	require.True(t, got.PayNextDay)
}
