package money_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
)

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := money.Parse("1234567.89", "CNY"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplit3(b *testing.B) {
	m := money.MustParse("100.00", "CNY")
	for b.Loop() {
		if _, err := m.Split(3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalJSON(b *testing.B) {
	data := []byte(`{"value":"1234567.89","currency":"CNY"}`)
	for b.Loop() {
		var m money.Money
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDailyAccrual(b *testing.B) {
	balance, rate := decimal.RequireFromString("1234567.89"), decimal.RequireFromString("0.0135")
	day := time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		money.DailyAccrual(balance, rate, money.ActActISDA, day)
	}
}
