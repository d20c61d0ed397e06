package wealthtest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/wealth"
)

const navHeader = "product_code,date,nav,accumulated_nav,income_per_10k,yield_7d\n"

// testNAVFile: an issuer's NAV file publishes every line at once, in any
// line order, with the cash-management yield the same as publishing one
// day at a time; a bad file is refused naming its line and column, and
// publishes nothing.
func testNAVFile(t *testing.T, e *Env) {
	open := e.OpenEnded("NF1")
	cash := e.CashManagement("NFC", wealth.IncomeReinvest)
	ref := e.CashManagement("NFR", wealth.IncomeReinvest) // published a day at a time
	days := []struct{ date, income string }{
		{"2026-03-02", "0.5000"}, {"2026-03-03", "0.4800"}, {"2026-03-04", "0.5100"},
		{"2026-03-05", "0.4900"}, {"2026-03-06", "0.5000"}, {"2026-03-09", "1.5300"},
	}
	var b strings.Builder
	b.WriteString("\ufeff" + navHeader)
	for i := len(days) - 1; i >= 0; i-- { // latest first: the file's order does not matter
		b.WriteString("NFC," + days[i].date + ",1,," + days[i].income + ",0.0185\n")
	}
	b.WriteString("NF1,2026-03-02,1.0250,1.1250,,\n\n")
	b.WriteString(" NF1 , 2026-03-03 , 1.0300 ,,, \n")
	navs, err := e.Svc.PublishNAVFile(e.Ctx, []byte(b.String()), "issuer-file")
	require.NoError(t, err)
	require.Len(t, navs, 8)
	require.Equal(t, Date("2026-03-09"), navs[0].Date, "in the file's order")
	require.True(t, navs[6].Value.Equal(Dec("1.0250")))
	require.True(t, navs[6].AccumulatedNAV.Equal(Dec("1.1250")))
	require.Equal(t, "issuer-file", navs[6].PublishedBy)
	for _, d := range days {
		e.Income(ref, d.date, d.income)
	}
	for _, d := range days {
		got, err := e.Svc.NAV(e.Ctx, cash.ID, Date(d.date))
		require.NoError(t, err)
		want, err := e.Svc.NAV(e.Ctx, ref.ID, Date(d.date))
		require.NoError(t, err)
		require.True(t, got.IncomePer10K.Equal(Dec(d.income)))
		require.True(t, got.Yield7D.Equal(want.Yield7D), "%s: yield %s, a day at a time %s", d.date, got.Yield7D, want.Yield7D)
		require.True(t, got.IssuerYield7D.Equal(Dec("0.0185")))
	}
	last, err := e.Svc.NAV(e.Ctx, cash.ID, Date("2026-03-09"))
	require.NoError(t, err)
	require.True(t, last.Yield7D.IsPositive(), "eight days covered by 03-09")

	before := func() int {
		n := 0
		for _, p := range []wealth.Product{open, cash} {
			h, err := e.Svc.NAVHistory(e.Ctx, p.ID, Date("2026-03-01"), Date("2026-03-31"))
			require.NoError(t, err)
			n += len(h)
		}
		return n
	}
	published := before()
	good := "NF1,2026-03-10,1.0400,,,\nNFC,2026-03-10,,,0.5000,\n"
	for _, tc := range []struct {
		name, file string
		want       error
		field      string
	}{
		{"zero NAV on the last line", navHeader + good + "NF1,2026-03-11,0,,,\n", wealth.ErrInvalidInput, "lines[4].nav"},
		{"negative NAV", navHeader + "NF1,2026-03-10,-1.0200,,,\n", wealth.ErrInvalidInput, "lines[2].nav"},
		{"five places", navHeader + good + "NF1,2026-03-11,1.00001,,,\n", wealth.ErrInvalidInput, "lines[4].nav"},
		{"exponent", navHeader + "NF1,2026-03-10,1e2,,,\n", wealth.ErrInvalidInput, "lines[2].nav"},
		{"unknown product", navHeader + good + "NOPE,2026-03-10,1.0000,,,\n", wealth.ErrInvalidInput, "lines[4].product_code"},
		{"bad code", navHeader + "nf 1,2026-03-10,1.0000,,,\n", wealth.ErrInvalidInput, "lines[2].product_code"},
		{"twice in the file", navHeader + good + "NF1,2026-03-10,1.0500,,,\n", wealth.ErrInvalidInput, "lines[4].date"},
		{"published already", navHeader + good + "NF1,2026-03-03,1.0300,,,\n", wealth.ErrDuplicate, "lines[4].date"},
		{"a Saturday", navHeader + "NF1,2026-03-07,1.0000,,,\n", wealth.ErrInvalidInput, "lines[2].date"},
		{"not a date", navHeader + "NF1,2026-02-30,1.0000,,,\n", wealth.ErrInvalidInput, "lines[2].date"},
		{"income on a net-value product", navHeader + "NF1,2026-03-10,1.0000,,0.5,\n", wealth.ErrInvalidInput, "lines[2].income_per_10k"},
		{"yield on a net-value product", navHeader + "NF1,2026-03-10,1.0000,,,0.02\n", wealth.ErrInvalidInput, "lines[2].yield_7d"},
		{"cash NAV not 1", navHeader + "NFC,2026-03-10,1.0100,,0.5,\n", wealth.ErrInvalidInput, "lines[2].nav"},
		{"income too large", navHeader + good + "NFC,2026-03-11,,,150,\n", wealth.ErrInvalidInput, "lines[4].income_per_10k"},
		{"a column short", navHeader + good + "NF1,2026-03-11,1.0000,,\n", wealth.ErrInvalidInput, "lines[4]"},
		{"wrong header", "code,date,nav,accumulated_nav,income_per_10k,yield_7d\n" + good, wealth.ErrInvalidInput, "lines[1]"},
		{"no header", good, wealth.ErrInvalidInput, "lines[1]"},
		{"header only", navHeader, wealth.ErrInvalidInput, "lines[2]"},
		{"empty", "", wealth.ErrInvalidInput, "lines[1]"},
		{"bare quote", navHeader + "NF1,\"2026-03-10,1.0000,,,\n", wealth.ErrInvalidInput, "lines[2]"},
	} {
		_, err := e.Svc.PublishNAVFile(e.Ctx, []byte(tc.file), "issuer-file")
		require.ErrorIs(t, err, tc.want, tc.name)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe, tc.name)
		require.Equal(t, tc.field, fe.Field, "%s: %v", tc.name, err)
		require.Equal(t, published, before(), "%s: nothing published", tc.name)
	}
	_, err = e.Svc.PublishNAVFile(e.Ctx, []byte(navHeader+good), "")
	requireField(t, err, "published_by")
	navs, err = e.Svc.PublishNAVFile(e.Ctx, []byte(navHeader+good), "issuer-file")
	require.NoError(t, err)
	require.Len(t, navs, 2)
	require.Equal(t, published+2, before())
}
