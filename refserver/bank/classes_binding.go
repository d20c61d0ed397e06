package bank

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/ledger"
)

// Binding changes the accounts a class II or III account is bound to: an
// optional capability of the Accounts port (*ledger.Service has it).
type Binding interface {
	Rebind(ctx context.Context, r ledger.RebindRequest) (ledger.Account, error)
	Bindings(ctx context.Context, accountID ledger.ID) ([]ledger.BindingChange, error)
}

// RebindRequest names the new bound accounts of a class II or III account.
type RebindRequest struct {
	BoundAccountIDs []string `json:"bound_account_ids" doc:"the owner's open demand accounts in the account's currency, not class II or III themselves (typically their class I); at most 8; empty unbinds"`
}

// Rebind replaces the bound accounts of a class II or III account the
// caller may reach (a customer their own), recording the caller
// (RefClient) with the change.
func (b *Bank) Rebind(ctx context.Context, id ledger.ID, r RebindRequest) (ledger.Account, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if r.BoundAccountIDs == nil {
		return ledger.Account{}, invalid("bound_account_ids", "is required (an empty list unbinds)")
	}
	req := ledger.RebindRequest{AccountID: a.ID, By: RefClient(ctx), BoundAccountIDs: []ledger.ID{}}
	for i, raw := range r.BoundAccountIDs {
		bid, err := ledger.ParseID(raw)
		if err != nil {
			return ledger.Account{}, invalid(fmt.Sprintf("bound_account_ids[%d]", i), "must be an account id")
		}
		req.BoundAccountIDs = append(req.BoundAccountIDs, bid)
	}
	bd, err := b.binding()
	if err != nil {
		return ledger.Account{}, err
	}
	return bd.Rebind(ctx, req)
}

// Bindings returns the binding history of an account the caller may
// reach, oldest first.
func (b *Bank) Bindings(ctx context.Context, id ledger.ID) ([]ledger.BindingChange, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return nil, err
	}
	bd, err := b.binding()
	if err != nil {
		return nil, err
	}
	return bd.Bindings(ctx, a.ID)
}

// binding is the Accounts port's Binding capability.
func (b *Bank) binding() (Binding, error) {
	bd, ok := b.accounts.(Binding)
	if !ok {
		return nil, fmt.Errorf("bank: the accounts port cannot rebind accounts")
	}
	return bd, nil
}
