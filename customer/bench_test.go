package customer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
)

func passportHolder(i int) customer.NewCustomer {
	n := zhangSan()
	n.NationalID = customer.NationalID{Type: customer.Passport, Number: fmt.Sprintf("E%08d", i), Country: "CN"}
	n.DateOfBirth = calendar.MustParseDate("1990-01-01")
	return n
}

// Create seals five fields and computes two blind indexes per customer.
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	svc, err := customer.NewService(memcustomer.New(), exampleKeys())
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if _, err := svc.Create(ctx, passportHolder(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// Get opens five fields and masks them.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	svc, err := customer.NewService(memcustomer.New(), exampleKeys())
	if err != nil {
		b.Fatal(err)
	}
	c, err := svc.Create(ctx, zhangSan())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.Get(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// Reveal opens the fields asked for and appends a hash-chained log entry.
func BenchmarkReveal(b *testing.B) {
	ctx := context.Background()
	svc, err := customer.NewService(memcustomer.New(), exampleKeys())
	if err != nil {
		b.Fatal(err)
	}
	c, err := svc.Create(ctx, zhangSan())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := svc.Reveal(ctx, "teller", c.ID, customer.AllFields, "benchmark"); err != nil {
			b.Fatal(err)
		}
	}
}
