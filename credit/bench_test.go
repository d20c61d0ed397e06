package credit_test

import (
	"testing"

	"github.com/bankkit/bankkit/credit"
)

// BenchmarkSchedule360 computes a 30-year monthly annuity (the mortgage
// case): 360 instalments. Target: under 50 µs.
func BenchmarkSchedule360(b *testing.B) {
	terms := monthly("1000000.00", "0.0435", 360, credit.Annuity)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := credit.NewSchedule(terms, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRates360 solves the APR of the same schedule.
func BenchmarkRates360(b *testing.B) {
	s, err := credit.NewSchedule(monthly("1000000.00", "0.0435", 360, credit.Annuity), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Rates(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInstalments360 makes money values of the 360 lines, as a
// caller that reads them all (a statement, the JSON form) does.
func BenchmarkInstalments360(b *testing.B) {
	s, err := credit.NewSchedule(monthly("1000000.00", "0.0435", 360, credit.Annuity), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(s.Instalments()) != 360 {
			b.Fatal("short")
		}
	}
}

// BenchmarkRenderContract360 renders the contract of a 30-year monthly
// loan as HTML and PDF and hashes both: what issuing a contract costs
// beyond its schedule.
func BenchmarkRenderContract360(b *testing.B) {
	s, err := credit.NewSchedule(monthly("1000000.00", "0.0435", 360, credit.Annuity), nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := s.Rates()
	if err != nil {
		b.Fatal(err)
	}
	c := credit.Contract{ID: credit.NewID(), Version: 1, ProductCode: "MORTGAGE", Amount: s.Terms().Principal,
		OriginationFee: s.Terms().Principal, Schedule: s, Rates: r, IssuedOn: s.Terms().Start}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		docs, err := c.Render()
		if err != nil {
			b.Fatal(err)
		}
		size = len(docs.PDF)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}
