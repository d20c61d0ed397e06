package credittest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
)

// sameJSON fails unless a and b encode alike: what a client would see.
func sameJSON(t *testing.T, a, b any) {
	t.Helper()
	ja, err := json.Marshal(a)
	require.NoError(t, err)
	jb, err := json.Marshal(b)
	require.NoError(t, err)
	require.JSONEq(t, string(ja), string(jb))
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, credit.ErrInvalidInput)
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "%v is not a field error", err)
	require.Equal(t, field, fe.Field, "%v", err)
}

func testProducts(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	require.NotEqual(t, credit.NilID, p.ID)
	require.Equal(t, credit.PenaltyFirst, p.Allocation, "an empty allocation order becomes the penalty-first preset")
	require.Equal(t, "1.5", p.PenaltyMultiplier.String(), "the penalty multiplier defaults to 1.5")
	require.Equal(t, "0.09", p.PenaltyRate(dec("0.06")).String(), "6% × 1.5")

	got, err := e.svc.Product(e.ctx, p.ID)
	require.NoError(t, err)
	sameJSON(t, p, got)
	byCode, err := e.svc.ProductByCode(e.ctx, "CONSUMER")
	require.NoError(t, err)
	sameJSON(t, p, byCode)

	dup := Product("CONSUMER")
	_, err = e.svc.CreateProduct(e.ctx, dup)
	require.ErrorIs(t, err, credit.ErrDuplicate)

	_, err = e.svc.Product(e.ctx, credit.NewID())
	require.ErrorIs(t, err, credit.ErrNotFound)
	_, err = e.svc.ProductByCode(e.ctx, "NONE")
	require.ErrorIs(t, err, credit.ErrNotFound)

	var codes []string
	for i := range 4 {
		codes = append(codes, e.product(fmt.Sprintf("P%d", i)).Code)
	}
	first, err := e.svc.Products(e.ctx, credit.Page{Limit: 3})
	require.NoError(t, err)
	require.Len(t, first, 3)
	rest, err := e.svc.Products(e.ctx, credit.Page{After: first[2].ID, Limit: 3})
	require.NoError(t, err)
	require.Len(t, rest, 2)
	var listed []string
	for _, q := range append(first, rest...) {
		listed = append(listed, q.Code)
	}
	require.Equal(t, append([]string{"CONSUMER"}, codes...), listed, "in creation order")

	// The interest-first preset and an order of the bank's own are kept.
	q := Product("OWN-ORDER")
	q.Allocation = credit.InterestFirst
	got, err = e.svc.CreateProduct(e.ctx, q)
	require.NoError(t, err)
	read, err := e.svc.Product(e.ctx, got.ID)
	require.NoError(t, err)
	require.Equal(t, credit.InterestFirst, read.Allocation)
}

func testProductValidation(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	for _, tc := range []struct {
		field string
		edit  func(*credit.Product)
	}{
		{"code", func(p *credit.Product) { p.Code = "" }},
		{"code", func(p *credit.Product) { p.Code = " X" }},
		{"code", func(p *credit.Product) { p.Code = "A\x00B" }},
		{"name", func(p *credit.Product) { p.Name = " " }},
		{"currency", func(p *credit.Product) { p.Currency = "XYZ" }},
		{"min_amount", func(p *credit.Product) { p.MinAmount = dec("0") }},
		{"min_amount", func(p *credit.Product) { p.MinAmount = dec("1.001") }},
		{"max_amount", func(p *credit.Product) { p.MaxAmount = dec("999.00") }},
		{"max_amount", func(p *credit.Product) { p.MaxAmount = dec("1000000000000000") }},
		{"min_term", func(p *credit.Product) { p.MinTerm = 0 }},
		{"max_term", func(p *credit.Product) { p.MaxTerm = 6 }},
		{"max_term", func(p *credit.Product) { p.MaxTerm = credit.MaxProductTerm + 1 }},
		{"repayment_method", func(p *credit.Product) { p.Method = "balloon" }},
		{"interest_method", func(p *credit.Product) { p.InterestMethod = "compound" }},
		{"interest_method", func(p *credit.Product) { p.Method, p.InterestMethod = credit.EqualPrincipal, credit.Flat }},
		{"day_count", func(p *credit.Product) { p.DayCount = 0 }},
		{"frequency", func(p *credit.Product) { p.Frequency = "quarterly" }},
		{"adjustment", func(p *credit.Product) { p.Adjustment = 42 }},
		{"rate_type", func(p *credit.Product) { p.RateType = "" }},
		{"base_rate", func(p *credit.Product) { p.BaseRate = dec("-0.01") }},
		{"base_rate", func(p *credit.Product) { p.BaseRate = dec("0.0612345") }},
		{"max_rate", func(p *credit.Product) { p.MaxRate = dec("0.05") }},
		{"max_rate", func(p *credit.Product) { p.MaxRate = dec("1.2") }},
		{"grace_principal", func(p *credit.Product) { p.GracePrincipal = -1 }},
		{"grace_principal", func(p *credit.Product) { p.GracePrincipal = 12 }},
		{"grace_interest", func(p *credit.Product) { p.GracePrincipal, p.GraceInterest = 2, 3 }},
		{"grace_principal", func(p *credit.Product) { p.Method, p.GracePrincipal = credit.Bullet, 1 }},
		{"origination_fee.rate", func(p *credit.Product) { p.Origination.Rate = dec("-0.01") }},
		{"origination_fee.rate", func(p *credit.Product) { p.Origination.Rate = dec("1.5") }},
		{"origination_fee.fixed", func(p *credit.Product) { p.Origination.Fixed = dec("0.001") }},
		{"origination_fee.max", func(p *credit.Product) { p.Origination.Min, p.Origination.Max = dec("10"), dec("5") }},
		{"late_fee", func(p *credit.Product) { p.LateFee = dec("-5") }},
		{"penalty_multiplier", func(p *credit.Product) { p.PenaltyMultiplier = dec("-1") }},
		{"prepayment_fee.rate", func(p *credit.Product) { p.PrepaymentFee.Rate = dec("-1") }},
		{"prepayment_mode", func(p *credit.Product) { p.PrepaymentMode = "" }},
		{"allocation_order", func(p *credit.Product) { p.Allocation = credit.PenaltyFirst[:11] }},
		{"allocation_order[3]", func(p *credit.Product) {
			p.Allocation = append(credit.AllocationOrder{}, credit.PenaltyFirst...)
			p.Allocation[3] = p.Allocation[0]
		}},
		{"allocation_order[0].stage", func(p *credit.Product) {
			p.Allocation = append(credit.AllocationOrder{}, credit.PenaltyFirst...)
			p.Allocation[0].Stage = "future"
		}},
		{"allocation_order[0].component", func(p *credit.Product) {
			p.Allocation = append(credit.AllocationOrder{}, credit.PenaltyFirst...)
			p.Allocation[0].Component = "tax"
		}},
		{"min_age", func(p *credit.Product) { p.MinAge = -1 }},
		{"max_age_at_maturity", func(p *credit.Product) { p.MaxAgeAtMaturity = 18 }},
		{"max_debt_to_income", func(p *credit.Product) { p.MaxDebtToIncome = dec("-0.1") }},
	} {
		p := Product("BAD")
		tc.edit(&p)
		_, err := e.svc.CreateProduct(e.ctx, p)
		requireField(t, err, tc.field)
	}
	all, err := e.svc.Products(e.ctx, credit.Page{})
	require.NoError(t, err)
	require.Empty(t, all, "a refused product is not stored")
	events, err := e.svc.Events().Read(e.ctx, 0, 10)
	require.NoError(t, err)
	require.Empty(t, events)
}
