package credit

import (
	"strings"

	"github.com/bankkit/bankkit/money"
)

// Owed is what a loan owes, by bucket.
type Owed map[Bucket]money.Money

// Allocate splits a payment over what is owed in the order's sequence:
// each bucket in turn takes what it is owed, or what is left of the
// payment. It returns the amount each bucket received (only the buckets
// that received something) and what is left over (an overpayment, held as
// advance by the caller). Amounts must all be in the payment's currency
// and not negative; the order must be valid.
func (o AllocationOrder) Allocate(payment money.Money, owed Owed) (map[Bucket]money.Money, money.Money, error) {
	if err := o.validate(); err != nil {
		return nil, money.Money{}, within("allocation_order", err)
	}
	c := payment.Currency
	if !c.Valid() {
		return nil, money.Money{}, invalid("payment.currency", "must be an ISO 4217 code")
	}
	if payment.Amount.IsNegative() || !payment.Amount.Equal(payment.Amount.Round(c.MinorUnits())) {
		return nil, money.Money{}, invalid("payment", "must be a non-negative amount in minor units of %s", c)
	}
	for b, m := range owed {
		if m.Currency != c || m.Amount.IsNegative() {
			return nil, money.Money{}, invalid("owed."+b.String(), "must be a non-negative amount in %s", c)
		}
	}
	left := payment.Amount
	out := map[Bucket]money.Money{}
	for _, b := range o {
		due := owed[b].Amount
		if !left.IsPositive() {
			break
		}
		if !due.IsPositive() {
			continue
		}
		take := due
		if left.LessThan(due) {
			take = left
		}
		out[b] = money.Money{Amount: take, Currency: c}
		left = left.Sub(take)
	}
	return out, money.Money{Amount: left, Currency: c}, nil
}

// String reads the order as "overdue.penalty, overdue.fee, ...".
func (o AllocationOrder) String() string {
	parts := make([]string, len(o))
	for i, b := range o {
		parts[i] = b.String()
	}
	return strings.Join(parts, ", ")
}
