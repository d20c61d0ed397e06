package bank

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
)

// openClassed opens a demand account of the class the request names or,
// without one, of the reference bank's default: staff (at the counter)
// open a class I account, or a class II bound to the customer's class I
// when they hold one in the currency already; a customer opening their
// own account remotely gets a class II, bound to their class I if any
// (the PBoC's rule: class I accounts are opened in person).
//
// The default tries class I first under the request's key and, when the
// ledger answers ErrClassOneHeld, opens the class II under a key of its
// own, so a request re-run after a crash replays whichever it opened.
func (b *Bank) openClassed(ctx context.Context, cid customer.ID, r OpenAccountRequest) (ledger.Account, error) {
	req := ledger.OpenAccountRequest{OwnerID: cid.String(), Currency: r.Currency, Class: r.Class}
	if r.ExternalRef != "" {
		req.ExternalRef = ledger.ExternalRef{Client: RefClient(ctx), Ref: r.ExternalRef}
	}
	for i, raw := range r.BoundAccountIDs {
		id, err := ledger.ParseID(raw)
		if err != nil {
			return ledger.Account{}, invalid(fmt.Sprintf("bound_account_ids[%d]", i), "must be an account id")
		}
		req.BoundAccountIDs = append(req.BoundAccountIDs, id)
	}
	if r.Class == ledger.ClassI && isCustomer(ctx) {
		return ledger.Account{}, invalid("class", "a class I account is opened in person, by the bank's staff")
	}
	if r.Class != ledger.ClassNone {
		return b.openDemand(ctx, req, "open-account")
	}
	if len(req.BoundAccountIDs) > 0 {
		return ledger.Account{}, invalid("bound_account_ids", "name the class (II or III) of an account with bound accounts")
	}
	if !isCustomer(ctx) {
		req.Class = ledger.ClassI
		a, err := b.openDemand(ctx, req, "open-account")
		if !errors.Is(err, ledger.ErrClassOneHeld) {
			return a, err
		}
	}
	req.Class = ledger.ClassII
	one, err := b.classOne(ctx, req.OwnerID, r)
	if err != nil {
		return ledger.Account{}, err
	}
	if one != ledger.NilID {
		req.BoundAccountIDs = []ledger.ID{one}
	}
	return b.openDemand(ctx, req, "open-account/class-II")
}

// classOne returns the customer's open class I demand account in the
// request's currency, or NilID.
func (b *Bank) classOne(ctx context.Context, owner string, r OpenAccountRequest) (ledger.ID, error) {
	f := ledger.AccountFilter{OwnerID: owner, Product: ledger.ProductDemand, Currency: r.Currency, Limit: 500}
	for {
		accts, next, err := b.accounts.ListAccounts(ctx, f)
		if err != nil {
			return ledger.NilID, err
		}
		for _, a := range accts {
			if a.Class == ledger.ClassI && a.Status != ledger.StatusClosed {
				return a.ID, nil
			}
		}
		if next == ledger.NilID {
			return ledger.NilID, nil
		}
		f.After = next
	}
}
