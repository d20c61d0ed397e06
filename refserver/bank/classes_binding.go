package bank

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bankkit/bankkit/fault"

	"github.com/bankkit/bankkit/ledger"
)

// Binding changes the accounts a class II or III account is bound to: an
// optional capability of the Accounts port (*ledger.Service has it).
type Binding interface {
	Rebind(ctx context.Context, r ledger.RebindRequest) (ledger.Account, error)
	BindExternal(ctx context.Context, r ledger.BindExternalRequest) (ledger.Account, error)
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

// BindExternalRequest names the owner's accounts at other banks a class II
// or III account is bound to.
type BindExternalRequest struct {
	ExternalAccounts []ExternalBinding `json:"external_accounts" doc:"the owner's accounts at other banks (the bank has verified they are the owner's); at most 8; empty unbinds"`
}

// ExternalBinding is an account of the owner at another bank.
type ExternalBinding struct {
	BankCode      string `json:"bank_code" doc:"the bank's clearing member id (CNAPS code or BIC)"`
	AccountNumber string `json:"account_number"`
	HolderName    string `json:"holder_name" doc:"the holder's name as the other bank has it"`
}

// BindExternal replaces the external accounts a class II or III account
// the caller may reach is bound to, recording the caller with the change:
// payments to them by POST /v1/transfers (to_external) then count against
// none of its outflow limits.
func (b *Bank) BindExternal(ctx context.Context, id ledger.ID, r BindExternalRequest) (ledger.Account, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if r.ExternalAccounts == nil {
		return ledger.Account{}, invalid("external_accounts", "is required (an empty list unbinds)")
	}
	req := ledger.BindExternalRequest{AccountID: a.ID, By: RefClient(ctx), Accounts: []ledger.ExternalAccount{}}
	for _, x := range r.ExternalAccounts {
		req.Accounts = append(req.Accounts, ledger.ExternalAccount(x))
	}
	bd, err := b.binding()
	if err != nil {
		return ledger.Account{}, err
	}
	a, err = bd.BindExternal(ctx, req)
	return a, externalAccountsField(err)
}

// externalAccountsField names a refused field as the API does
// (external_accounts[0].bank_code), not as the ledger's request
// (accounts[0].bank_code).
func externalAccountsField(err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	if rest, ok := strings.CutPrefix(fe.Field, "accounts"); ok {
		return &fault.FieldError{Field: "external_accounts" + rest, Reason: fe.Reason, Err: fe.Err}
	}
	return err
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
