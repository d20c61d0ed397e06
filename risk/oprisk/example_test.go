package oprisk_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/memoprisk"
)

// A permission catalogue: declared with default roles, then changed by an
// administrator.
func Example_catalogue() {
	ctx := context.Background()
	svc, _ := oprisk.NewService(memoprisk.New(), oprisk.WithCacheTTL(0))
	_ = svc.EnsurePermissions(ctx, []oprisk.Default{
		{Permission: oprisk.Permission{Name: "accounts.freeze", Summary: "Freeze an account"}, Roles: []string{"admin", "teller"}},
	})
	ok, _ := svc.Allowed(ctx, []string{"teller"}, "accounts.freeze")
	fmt.Println("teller may freeze:", ok)
	_, _ = svc.SetGrants(ctx, "teller", nil)
	ok, _ = svc.Allowed(ctx, []string{"teller"}, "accounts.freeze")
	fmt.Println("after the change:", ok)
	// Output:
	// teller may freeze: true
	// after the change: false
}

// Maker-checker: a large transfer is held; its maker may not approve it.
func Example_makerChecker() {
	ctx := context.Background()
	svc, _ := oprisk.NewService(memoprisk.New(), oprisk.WithPolicies(oprisk.Policy{Permission: "transfers.create"}))
	policy, _ := svc.Policy("transfers.create")
	maker := oprisk.Actor{ID: "u1", Username: "li", Roles: []string{"teller"}}
	checker := oprisk.Actor{ID: "u2", Username: "wang", Roles: []string{"teller"}}
	body := []byte(`{"amount":{"value":"80000.00","currency":"CNY"}}`)
	fmt.Println("held:", policy.Holds(maker.Username, body))

	r, _ := svc.Hold(ctx, oprisk.Request{Permission: "transfers.create", Method: "POST", Path: "/v1/transfers", Body: body, Maker: maker})
	_, _, err := svc.Approve(ctx, r.ID, maker, "")
	fmt.Println("maker approves:", errors.Is(err, oprisk.ErrSegregation))
	r, _, _ = svc.Approve(ctx, r.ID, checker, "checked")
	fmt.Println(r.Status)
	r, _ = svc.Complete(ctx, r.ID, 201, []byte(`{"id":"t1"}`))
	fmt.Println(r.Status, r.Outcome.Status)
	// Output:
	// held: true
	// maker approves: true
	// approved
	// done 201
}

// The audit trail: appended records chain, and Verify finds an edit.
func Example_auditTrail() {
	ctx := context.Background()
	store := memoprisk.New()
	svc, _ := oprisk.NewService(store, oprisk.WithWatch(oprisk.Watch{}))
	for _, obj := range []string{"a1", "a2", "a3"} {
		_, _, _ = svc.Append(ctx, oprisk.Record{ActorID: "u1", Actor: "li", Action: "accounts.freeze", Object: obj, Outcome: 200})
	}
	v, _ := svc.Verify(ctx)
	fmt.Println(v.OK, v.Checked)
	store.Tamper(func(rs []oprisk.Record) []oprisk.Record { rs[1].Outcome = 403; return rs })
	v, _ = svc.Verify(ctx)
	fmt.Println(v.OK, v.BrokenAt, v.Reason)
	// Output:
	// true 3
	// false 2 its content does not match its hash: the record was altered
}
