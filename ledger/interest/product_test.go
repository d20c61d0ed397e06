package interest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

func TestProductValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*interest.Product)
		field  string
	}{
		{"no currency", func(p *interest.Product) { p.Currency = "" }, "Currency"},
		{"unknown currency", func(p *interest.Product) { p.Currency = "XYZ" }, "Currency"},
		{"no day count", func(p *interest.Product) { p.DayCount = 0 }, "DayCount"},
		{"no basis", func(p *interest.Product) { p.Basis = 0 }, "Basis"},
		{"no credit rate", func(p *interest.Product) { p.Credit = nil }, "Credit"},
		{"credit rate too high", func(p *interest.Product) { p.Credit[0].Rate = interest.Flat(dec("2")) }, "Credit[0].Rate.Annual"},
		{"credit dates not rising", func(p *interest.Product) {
			p.Credit = append(p.Credit, interest.RateChange{Effective: p.Credit[0].Effective, Rate: interest.Flat(dec("0.02"))})
		}, "Credit[1].Effective"},
		{"invalid effective date", func(p *interest.Product) { p.Credit[0].Effective = calendar.Date{} }, "Credit[0].Effective"},
		{"bad debit tier", func(p *interest.Product) {
			p.Debit = interest.RateSchedule{{Effective: day("2027-01-01"), Rate: interest.Tiered(interest.Marginal, interest.Tier{From: dec("5"), Rate: dec("0.1")})}}
		}, "Debit[0].Rate.Tiers[0].From"},
		{"no compounding", func(p *interest.Product) { p.Compounding = 0 }, "Compounding"},
		{"no posting", func(p *interest.Product) { p.Posting = 99 }, "Posting"},
		{"average basis compounding apart from posting", func(p *interest.Product) {
			p.Basis, p.Compounding = interest.AverageDailyBalance, interest.Daily
		}, "Compounding"},
		{"negative minimum", func(p *interest.Product) { p.MinimumBalance = dec("-1") }, "MinimumBalance"},
		{"tax above 1", func(p *interest.Product) { p.WithholdingTax = dec("1.01") }, "WithholdingTax"},
		{"negative tax", func(p *interest.Product) { p.WithholdingTax = dec("-0.2") }, "WithholdingTax"},
		{"bad rounding", func(p *interest.Product) { p.Rounding = 7 }, "Rounding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := flatProduct("0.0365", money.Act365Fixed)
			tt.change(&p)
			err := p.Validate()
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			require.ErrorIs(t, err, interest.ErrInvalidProduct)
		})
	}
	require.NoError(t, flatProduct("0.0365", money.Act365Fixed).Validate())
}
