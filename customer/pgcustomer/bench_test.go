package pgcustomer_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/pgcustomer"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func benchService(b *testing.B) *customer.Service {
	db := pgtest.New(b)
	if err := pgcustomer.Migrate(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	enc := func(c string) string {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, customer.KeySize)))
	}
	keys, err := customer.ParseKeyring("k1:" + enc("a") + ",index:" + enc("i"))
	if err != nil {
		b.Fatal(err)
	}
	svc, err := customer.NewService(pgcustomer.New(db), keys)
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

func benchCustomer(i int) customer.NewCustomer {
	return customer.NewCustomer{FullName: fmt.Sprintf("Bench %d", i), Gender: customer.GenderOther,
		DateOfBirth: calendar.MustParseDate("1990-01-01"),
		NationalID:  customer.NationalID{Type: customer.Passport, Number: fmt.Sprintf("B%08d", i), Country: "CN"},
		Phones:      []string{fmt.Sprintf("+86138%08d", i)}, Email: fmt.Sprintf("b%d@example.com", i)}
}

// Create: one transaction with the customer row and its outbox event.
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	svc := benchService(b)
	i := 0
	for b.Loop() {
		if _, err := svc.Create(ctx, benchCustomer(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// Reveal: one transaction reading the row and appending to the access log.
func BenchmarkReveal(b *testing.B) {
	ctx := context.Background()
	svc := benchService(b)
	c, err := svc.Create(ctx, benchCustomer(0))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := svc.Reveal(ctx, "teller", c.ID, customer.AllFields, "benchmark"); err != nil {
			b.Fatal(err)
		}
	}
}
