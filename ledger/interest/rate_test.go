package interest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// bands: 0–9 999.99 at 1%, 10 000–49 999.99 at 2%, 50 000 and above at 3%.
var bands = []interest.Tier{
	{From: dec("0"), Rate: dec("0.01")},
	{From: dec("10000"), Rate: dec("0.02")},
	{From: dec("50000"), Rate: dec("0.03")},
}

func TestTierModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		balance  string
		whole    string // the band's rate × the whole balance
		marginal string // each slice at its band's rate
	}{
		{"0", "0", "0"},
		{"-100", "0", "0"},
		{"5000", "50", "50"},              // 5000 × 1%
		{"9999.99", "99.9999", "99.9999"}, // still the first band
		{"10000", "200", "100"},           // whole: 10000 × 2%; marginal: 10000 × 1%
		{"15000", "300", "200"},           // marginal: 100 + 5000 × 2%
		{"60000", "1800", "1200"},         // marginal: 100 + 40000 × 2% + 10000 × 3% = 100 + 800 + 300
	}
	whole := interest.Tiered(interest.WholeBalance, bands...)
	marginal := interest.Tiered(interest.Marginal, bands...)
	require.NoError(t, whole.Validate())
	require.NoError(t, marginal.Validate())
	for _, tt := range tests {
		t.Run(tt.balance, func(t *testing.T) {
			t.Parallel()
			requireDecimal(t, dec(tt.whole), whole.AnnualInterest(dec(tt.balance)), "whole balance")
			requireDecimal(t, dec(tt.marginal), marginal.AnnualInterest(dec(tt.balance)), "marginal")
		})
	}
}

func TestTieredProductOverAMonth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode interest.TierMode
		want string
	}{
		{interest.WholeBalance, "25.48"}, // 15000 × 2% × 31/365 = 300 × 31/365 = 25.479…
		{interest.Marginal, "16.99"},     // (100 + 100) × 31/365 = 16.986…
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			t.Parallel()
			p := flatProduct("0", money.Act365Fixed)
			p.Credit[0].Rate = interest.Tiered(tt.mode, bands...)
			r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), constant("15000.00"))
			requireAmount(t, tt.want, r.postings[0].Gross)
		})
	}
}

func TestRateValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rate  interest.Rate
		field string
	}{
		{"negative flat", interest.Flat(dec("-0.01")), "Annual"},
		{"above 100%", interest.Flat(dec("1.0001")), "Annual"},
		{"flat and tiers", interest.Rate{Annual: dec("0.01"), Tiers: bands, Mode: interest.Marginal}, "Annual"},
		{"no mode", interest.Rate{Tiers: bands}, "Mode"},
		{"first tier above zero", interest.Tiered(interest.Marginal, interest.Tier{From: dec("1"), Rate: dec("0.01")}), "Tiers[0].From"},
		{"tiers not rising", interest.Tiered(interest.Marginal, bands[0], bands[2], bands[1]), "Tiers[2].From"},
		{"tier rate negative", interest.Tiered(interest.WholeBalance, bands[0], interest.Tier{From: dec("5"), Rate: dec("-0.1")}), "Tiers[1].Rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.rate.Validate()
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			require.ErrorIs(t, err, interest.ErrInvalidInput)
		})
	}
	require.NoError(t, interest.Flat(dec("1")).Validate())
	require.NoError(t, interest.Flat(dec("0")).Validate())
}

func TestRateScheduleOn(t *testing.T) {
	t.Parallel()
	s := interest.RateSchedule{
		{Effective: day("2027-01-01"), Rate: interest.Flat(dec("0.01"))},
		{Effective: day("2027-03-01"), Rate: interest.Flat(dec("0.02"))},
	}
	tests := []struct {
		day  string
		want string
	}{
		{"2027-01-01", "0.01"},
		{"2027-02-28", "0.01"},
		{"2027-03-01", "0.02"}, // from its effective date
		{"2030-01-01", "0.02"},
	}
	for _, tt := range tests {
		r, err := s.On(day(tt.day))
		require.NoError(t, err)
		requireDecimal(t, dec(tt.want), r.Annual, tt.day)
	}
	_, err := s.On(day("2026-12-31"))
	require.ErrorIs(t, err, interest.ErrNoRate)
	_, err = interest.RateSchedule{}.On(day("2026-12-31"))
	require.ErrorIs(t, err, interest.ErrNoRate)
}
