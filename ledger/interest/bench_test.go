package interest_test

import (
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// BenchmarkAccrue is the end-of-day hot path: one account-day, product
// validation included.
func BenchmarkAccrue(b *testing.B) {
	p := flatProduct("0.0365", money.Act365Fixed)
	p.Debit = interest.RateSchedule{{Effective: day("2000-01-01"), Rate: interest.Flat(dec("0.18"))}}
	balance := dec("123456.78")
	start := day("2027-01-01")
	s, _, err := interest.Accrue(p, interest.Accrual{}, start, balance)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	d := start.AddDays(1)
	for b.Loop() {
		if _, _, err := interest.Accrue(p, s, d, balance); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPost is one month-end posting with tax.
func BenchmarkPost(b *testing.B) {
	p := flatProduct("0.0365", money.Act365Fixed)
	p.WithholdingTax = dec("0.2")
	var s interest.Accrual
	for d := day("2027-01-01"); d.Month == 1; d = d.AddDays(1) {
		next, _, err := interest.Accrue(p, s, d, dec("123456.78"))
		if err != nil {
			b.Fatal(err)
		}
		s = next
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := interest.Post(p, s, calendar.MustParseDate("2027-01-31")); err != nil {
			b.Fatal(err)
		}
	}
}
