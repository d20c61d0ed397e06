package credit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/memcredit"
)

// A quote of the standard product: 100,000.00 over 12 months at 6% with a
// deducted 1% fee (1,000.00). The instalments are those of the plain
// annuity (8,606.64); the borrower receives 99,000.00, so the total cost
// is 3,279.73 of interest plus the 1,000.00 fee.
func TestQuote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cal, err := calendar.NewBusinessCalendar()
	require.NoError(t, err)
	svc, err := credit.NewService(memcredit.New(), credit.WithCalendar(cal))
	require.NoError(t, err)
	p, err := svc.CreateProduct(ctx, credittest.Product("Q"))
	require.NoError(t, err)
	s, r, err := svc.Quote(ctx, p.ID, cny("100000.00"), 12, dec("0.06"), calendar.MustParseDate("2026-01-15"))
	require.NoError(t, err)
	require.Equal(t, "8606.64", s.Instalments()[0].Total().ValueString())
	require.Equal(t, calendar.MustParseDate("2026-02-16"), s.Instalments()[0].DueDate, "15 February 2026 is a Sunday")
	require.Equal(t, "4279.73", r.TotalCost.ValueString())
	require.True(t, r.APR.GreaterThan(dec("0.0775")) && r.APR.LessThan(dec("0.0790")), "APR %s", r.APR)

	_, _, err = svc.Quote(ctx, p.ID, cny("100000.00"), 12, dec("0.30"), calendar.MustParseDate("2026-01-15"))
	requireField(t, err, "rate")
	_, _, err = svc.Quote(ctx, credit.NewID(), cny("100000.00"), 12, dec("0.06"), calendar.MustParseDate("2026-01-15"))
	require.ErrorIs(t, err, credit.ErrNotFound)
}

func TestNewServiceChecksOptions(t *testing.T) {
	t.Parallel()
	_, err := credit.NewService(nil)
	requireField(t, err, "store")
	_, err = credit.NewService(memcredit.New(), credit.WithClock(nil))
	requireField(t, err, "clock")
	_, err = credit.NewService(memcredit.New(), credit.WithScorecard(nil))
	requireField(t, err, "scorecard")
	_, err = credit.NewService(memcredit.New(), credit.WithPricing(credit.Pricing{}))
	requireField(t, err, "pricing.A")
}
