package risk_test

import (
	"errors"
	"testing"

	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/memrisk"
)

// FuzzCheck: whatever a rule's text, saving it either compiles or is
// refused with a *RuleError naming the rule's field; it never panics.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"amount > 1", "agg.n >= 2 && cash", "len(map(1..10, #)) > 1", "agg[kind]", "amount >=",
		"from.customer == to.customer", "hour in 0..5", "\x00", "((((((((", "1 / 0 > 1"} {
		f.Add(s)
	}
	svc, err := risk.NewService(memrisk.New())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		err := svc.Check(risk.Draft{Thresholds: risk.Thresholds{Review: 1},
			Aggregates: []risk.Aggregate{{Name: "n", Entity: risk.EntityAccount, Side: risk.SideFrom, Measure: risk.Count, Window: risk.MinWindow}},
			Rules:      []risk.Rule{{Name: "r", Expr: expr, Score: 1}}})
		if err == nil {
			return
		}
		if !errors.Is(err, risk.ErrInvalidInput) {
			t.Fatalf("%q: %v is not invalid input", expr, err)
		}
	})
}
