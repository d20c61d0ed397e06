package risk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/memrisk"
)

// Publish the starter rules and screen a burst of transfers: the fifth
// within ten minutes fires many_outgoing and goes to review.
func Example() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
	svc, err := risk.NewService(memrisk.New(), risk.WithClock(clock))
	if err != nil {
		panic(err)
	}
	v, err := svc.CreateDraft(ctx, risk.StarterRules(), "alice")
	if err != nil {
		panic(err)
	}
	if _, err := svc.Publish(ctx, v.ID, "bob"); err != nil {
		panic(err)
	}
	for i := 1; i <= 5; i++ {
		t := risk.Transaction{ID: risk.NewID(), Kind: risk.KindTransfer, Amount: money.MustParse("200.00", "CNY"),
			From: risk.Party{Account: "acct-1", Customer: "cust-1"}, To: risk.Party{Account: "acct-2", Customer: "cust-2"},
			At: clock.Now(), BusinessDate: calendar.MustDate(2026, 3, 2)}
		verdict, err := svc.Screen(ctx, t, "")
		if err != nil {
			panic(err)
		}
		d := verdict.Decision
		fmt.Printf("transfer %d: %s score %d %v allowed=%t\n", i, d.Outcome, d.Score, d.Fired, verdict.Allowed())
		clock.Advance(time.Minute)
	}
	// Output:
	// transfer 1: approve score 0 [] allowed=true
	// transfer 2: approve score 0 [] allowed=true
	// transfer 3: approve score 0 [] allowed=true
	// transfer 4: approve score 0 [] allowed=true
	// transfer 5: review score 40 [{many_outgoing 40}] allowed=true
}

// A rule that names an unknown field is refused at save with its
// position.
func ExampleService_Check() {
	svc, _ := risk.NewService(memrisk.New())
	err := svc.Check(risk.Draft{Thresholds: risk.Thresholds{Review: 10},
		Rules: []risk.Rule{{Name: "night", Expr: "hour < 6 && amont > 5000", Score: 20}}})
	var re *risk.RuleError
	fmt.Println(errors.As(err, &re), re.Field, re.Line, re.Column)
	// Output:
	// true rules[0].expr 1 13
}
