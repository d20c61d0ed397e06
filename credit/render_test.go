package credit_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

func testContract(t *testing.T) credit.Contract {
	t.Helper()
	terms := credit.Terms{Principal: money.MustParse("100000.00", "CNY"), AnnualRate: dec("0.06"), Term: 12,
		Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed, Frequency: credit.Monthly,
		Start: calendar.MustParseDate("2026-03-02")}
	s, err := credit.NewSchedule(terms, nil)
	require.NoError(t, err)
	r, err := s.Rates()
	require.NoError(t, err)
	return credit.Contract{ID: credit.NewID(), ApplicationID: credit.NewID(), CustomerID: credit.NewID(), Version: 1,
		ProductCode: "CONSUMER", ProductName: "个人消费贷款 Consumer loan", Amount: terms.Principal,
		OriginationFee: money.MustParse("0.00", "CNY"), PenaltyRate: "9%", Schedule: s, Rates: r,
		IssuedOn: calendar.MustParseDate("2026-03-02"), IssuedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

// Rendering is deterministic: the same contract renders to the same
// bytes, at another time too, so a document's digest names it; another
// version renders differently.
func TestRenderIsDeterministic(t *testing.T) {
	c := testContract(t)
	first, err := c.Render()
	require.NoError(t, err)
	time.Sleep(1100 * time.Millisecond) // past a second: a wall-clock date in the PDF would change
	again, err := c.Render()
	require.NoError(t, err)
	require.True(t, bytes.Equal(first.PDF, again.PDF), "two PDF renders differ")
	require.True(t, bytes.Equal(first.HTML, again.HTML))
	require.True(t, bytes.HasPrefix(first.PDF, []byte("%PDF-")))
	require.Contains(t, string(first.HTML), "个人消费贷款", "the HTML shows every character")
	require.Contains(t, string(first.HTML), "8606.64")
	require.Len(t, c.PDFSHA256, 64)

	c.Version = 2
	other, err := c.Render()
	require.NoError(t, err)
	require.False(t, bytes.Equal(first.PDF, other.PDF))
}
