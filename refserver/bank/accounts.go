package bank

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// OpenAccountRequest opens a demand account, or a time deposit funded from
// one of the customer's demand accounts.
type OpenAccountRequest struct {
	CustomerID string         `json:"customer_id"`
	Product    ledger.Product `json:"product"`
	Currency   money.Currency `json:"currency"`
	// Demand accounts only: the class (I, II or III) and, for class II
	// and III, the customer's accounts it is bound to. Without a class,
	// staff open a class I account, or a class II bound to the customer's
	// class I when they hold one in the currency; a customer opening
	// their own gets class II, bound to their class I if any.
	Class           ledger.Class `json:"class,omitempty" doc:"I, II or III (demand accounts); see the defaults in docs/api.md"`
	BoundAccountIDs []string     `json:"bound_account_ids,omitempty" doc:"class II and III: the customer's own demand accounts payments to which are not limited"`
	// ExternalRef is the caller's own reference for a demand account,
	// unique per caller (RefClient).
	ExternalRef string `json:"external_ref,omitempty" doc:"your own reference for the account (demand or time deposit), unique among yours; find it again with GET /v1/accounts?external_ref="`
	// Time deposits only.
	TermMonths       int          `json:"term_months,omitempty"`
	FundingAccountID string       `json:"funding_account_id,omitempty"`
	Principal        *money.Money `json:"principal,omitempty"`
	// MaturityInstruction: pay_out (default), rollover_all,
	// rollover_principal or hold.
	MaturityInstruction *interest.Instruction `json:"maturity_instruction,omitempty"`
}

// OpenAccount opens an account for a customer who exists, is active and
// has passed KYC (ErrCustomerNotVerified otherwise, and nothing is opened;
// a customer naming anyone else gets ErrNotFound, as for any object not
// theirs):
// a demand account earning the demand product's interest, or a time
// deposit at the time product's rate of the business date. The account is
// linked to the customer's record. Each step is keyed from the request's
// key, so a request re-run after a crash between them finishes the
// workflow with the same account.
func (b *Bank) OpenAccount(ctx context.Context, r OpenAccountRequest) (ledger.Account, error) {
	cid, err := customer.ParseID(r.CustomerID)
	if err != nil {
		return ledger.Account{}, invalid("customer_id", "must be a customer id")
	}
	if err := ownCustomer(ctx, cid); err != nil {
		return ledger.Account{}, err
	}
	switch r.Product {
	case ledger.ProductDemand:
		if r.TermMonths != 0 || r.FundingAccountID != "" || r.Principal != nil || r.MaturityInstruction != nil {
			return ledger.Account{}, invalid("product", "term_months, funding_account_id, principal and maturity_instruction are for time deposits")
		}
	case ledger.ProductTime:
		if r.Class != ledger.ClassNone || len(r.BoundAccountIDs) > 0 {
			return ledger.Account{}, invalid("class", "only demand accounts carry a class")
		}
	default:
		return ledger.Account{}, invalid("product", "must be demand or time")
	}
	if !slices.Contains(Currencies, r.Currency) {
		return ledger.Account{}, invalid("currency", fmt.Sprintf("the bank keeps accounts in %v", Currencies))
	}
	if err := b.requireVerified(ctx, cid); err != nil {
		return ledger.Account{}, err
	}
	var a ledger.Account
	if r.Product == ledger.ProductTime {
		a, err = b.openTimeDeposit(ctx, cid, r)
	} else {
		a, err = b.openClassed(ctx, cid, r)
	}
	if err != nil {
		return ledger.Account{}, err
	}
	// The link makes the account show on the customer's record; linking
	// again on a re-run is harmless.
	if _, err := b.customers.LinkAccount(ctx, cid, a.ID.String(), customer.RelationshipOwner); err != nil && !errors.Is(err, customer.ErrDuplicate) {
		return ledger.Account{}, err
	}
	return a, nil
}

// openDemand opens a demand account earning its currency's demand interest.
func (b *Bank) openDemand(ctx context.Context, r ledger.OpenAccountRequest, step string) (ledger.Account, error) {
	r.Product, r.IdempotencyKey = ledger.ProductDemand, keyFor(ctx, step)
	a, err := b.accounts.OpenAccount(ctx, r)
	if err != nil {
		return ledger.Account{}, err
	}
	return a, b.deposits.EarnInterest(ctx, a.ID, demandProduct(r.Currency))
}

// openTimeDeposit opens a time deposit funded from one of the customer's
// demand accounts.
func (b *Bank) openTimeDeposit(ctx context.Context, cid customer.ID, r OpenAccountRequest) (ledger.Account, error) {
	if r.TermMonths == 0 {
		return ledger.Account{}, invalid("term_months", "is required for a time deposit")
	}
	if r.Principal == nil {
		return ledger.Account{}, invalid("principal", "is required for a time deposit")
	}
	if err := sameCurrency(r.Currency, *r.Principal); err != nil {
		return ledger.Account{}, err
	}
	funding, err := b.namedAccount(ctx, "funding_account_id", r.FundingAccountID)
	if err != nil {
		return ledger.Account{}, err
	}
	if funding.OwnerID != cid.String() {
		return ledger.Account{}, invalid("funding_account_id", "must be a demand account of the same customer")
	}
	id, err := b.deposits.OpenTimeDeposit(ctx, TimeDeposit{FundingAccountID: funding.ID, Principal: *r.Principal,
		TermMonths: r.TermMonths, Product: timeProduct(r.Currency), Instruction: instructionOr(r.MaturityInstruction),
		ExternalRef: refOf(ctx, r.ExternalRef), IdempotencyKey: keyFor(ctx, "time-deposit")})
	if err != nil {
		return ledger.Account{}, err
	}
	return b.accounts.Account(ctx, id)
}

// instructionOr is the maturity instruction asked for, or pay-out.
func instructionOr(i *interest.Instruction) interest.Instruction {
	if i == nil {
		return interest.PayOut
	}
	return *i
}

// requireVerified: the customer must exist, be active and have passed KYC.
func (b *Bank) requireVerified(ctx context.Context, id customer.ID) error {
	m, err := b.customers.Get(ctx, id)
	if fault.KindOf(err) == fault.NotFound {
		return ErrCustomerNotVerified
	}
	if err != nil {
		return err
	}
	if m.KYC.Status != customer.KYCVerified || m.Status != customer.StatusActive {
		return ErrCustomerNotVerified
	}
	return nil
}

// Account returns an account the caller may reach.
func (b *Bank) Account(ctx context.Context, id ledger.ID) (ledger.Account, error) {
	a, err := b.accounts.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if !owns(ctx, a.OwnerID) {
		return ledger.Account{}, ErrNotFound
	}
	return a, nil
}

// namedAccount is the account a request field names: required, an account
// id, and one the caller may reach.
func (b *Bank) namedAccount(ctx context.Context, field, raw string) (ledger.Account, error) {
	if raw == "" {
		return ledger.Account{}, invalid(field, "is required")
	}
	id, err := ledger.ParseID(raw)
	if err != nil {
		return ledger.Account{}, invalid(field, "must be an account id")
	}
	return b.Account(ctx, id)
}

// sameCurrency refuses an amount in another currency than the account's.
func sameCurrency(c money.Currency, m money.Money) error {
	if m.Currency != c {
		return fmt.Errorf("%w: the account is in %s, the amount in %s", ledger.ErrCurrencyMismatch, c, m.Currency)
	}
	return nil
}

// StatementQuery asks for one page of an account's statement lines, newest
// first.
type StatementQuery struct {
	AccountID ledger.ID
	// From and To bound the value dates; zero means all history (back-valued
	// entries may date from before the account opened) up to the business
	// date.
	From, To calendar.Date
	// After is the last line of the previous page; the zero ID starts with
	// the newest.
	After ledger.ID
	Limit int
}

// Statement returns a page of the lines of an account the caller may
// reach, and the line to continue after (the zero ID on the last page).
func (b *Bank) Statement(ctx context.Context, q StatementQuery) ([]ledger.StatementLine, ledger.ID, error) {
	a, err := b.Account(ctx, q.AccountID)
	if err != nil {
		return nil, ledger.NilID, err
	}
	from, to := q.From, q.To
	if from.IsZero() {
		from = calendar.MustDate(1970, time.January, 1)
	}
	if to.IsZero() {
		if to, err = b.accounts.BusinessDate(ctx); err != nil {
			return nil, ledger.NilID, err
		}
	}
	// One line more than the page shows whether there is a next page.
	lines, err := b.accounts.History(ctx, ledger.HistoryQuery{AccountID: a.ID, From: from, To: to, Before: q.After, Limit: q.Limit + 1})
	var fe *fault.FieldError
	if errors.As(err, &fe) && fe.Field == "before" {
		return nil, ledger.NilID, invalid("after", "is not a cursor this endpoint returned")
	}
	if err != nil {
		return nil, ledger.NilID, err
	}
	if len(lines) <= q.Limit {
		return lines, ledger.NilID, nil
	}
	lines = lines[:q.Limit]
	return lines, lines[len(lines)-1].EntryID, nil
}

// RenewTimeDeposit renews a time deposit held at maturity for a new term
// at the rate then current.
func (b *Bank) RenewTimeDeposit(ctx context.Context, id ledger.ID, termMonths int, instr *interest.Instruction) (ledger.Account, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if err := b.deposits.RenewTimeDeposit(ctx, a.ID, termMonths, instructionOr(instr)); err != nil {
		return ledger.Account{}, err
	}
	return a, nil
}

// WithdrawTimeDepositPart takes part of a time deposit's principal out
// to its demand account before maturity: the part earns the demand rate
// for the days held, the rest keeps its rate and maturity. The product
// allows one such withdrawal a term and a least amount left (the
// reference bank's: 50.00 CNY).
func (b *Bank) WithdrawTimeDepositPart(ctx context.Context, id ledger.ID, amount money.Money) (ledger.Account, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if err := b.deposits.WithdrawTimeDepositPart(ctx, a.ID, amount); err != nil {
		return ledger.Account{}, err
	}
	return b.accounts.Account(ctx, a.ID)
}

// CloseAccount closes an account with a zero balance and no active holds;
// a time deposit closes by paying out to its demand account: early at the
// demand rate (the penalty rule), or as it stands when held at maturity.
func (b *Bank) CloseAccount(ctx context.Context, id ledger.ID) (ledger.Account, error) {
	a, err := b.Account(ctx, id)
	if err != nil {
		return ledger.Account{}, err
	}
	if a.Product != ledger.ProductTime {
		return b.accounts.Close(ctx, a.ID)
	}
	if err := b.deposits.CloseTimeDeposit(ctx, a.ID); err != nil {
		return ledger.Account{}, err
	}
	return b.accounts.Account(ctx, a.ID)
}

// CustomerAccounts returns every account of a customer the caller may
// reach.
func (b *Bank) CustomerAccounts(ctx context.Context, id customer.ID) ([]ledger.Account, error) {
	if _, err := b.Customer(ctx, id); err != nil {
		return nil, err
	}
	var out []ledger.Account
	after := ledger.NilID
	for {
		accts, next, err := b.accounts.ListAccounts(ctx, ledger.AccountFilter{OwnerID: id.String(), After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		out = append(out, accts...)
		if next == ledger.NilID {
			return out, nil
		}
		after = next
	}
}
