package ledger

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
	"github.com/shopspring/decimal"
)

// Product is the kind of account.
type Product string

// Products. Deposits are the bank's liabilities (credit-normal), loans its
// assets (debit-normal); internal accounts take the side their chart says.
const (
	ProductDemand   Product = "demand"   // demand deposit: current or savings account
	ProductTime     Product = "time"     // time (fixed-term) deposit
	ProductLoan     Product = "loan"     // loan receivable
	ProductInternal Product = "internal" // the bank's own general-ledger account
)

// Valid reports whether p is one of the products above.
func (p Product) Valid() bool {
	switch p {
	case ProductDemand, ProductTime, ProductLoan, ProductInternal:
		return true
	}
	return false
}

// NormalSide returns the side on which a customer product's balance grows:
// credit for deposits, debit for loans. Internal accounts have no default.
func (p Product) NormalSide() Side {
	switch p {
	case ProductDemand, ProductTime:
		return Credit
	case ProductLoan:
		return Debit
	}
	return ""
}

// Side is the side of a posting, and an account's normal side: the side on
// which its balance grows.
type Side string

// The two sides of double entry.
const (
	Debit  Side = "debit"
	Credit Side = "credit"
)

// Valid reports whether s is Debit or Credit.
func (s Side) Valid() bool { return s == Debit || s == Credit }

// Opposite returns the other side.
func (s Side) Opposite() Side {
	if s == Debit {
		return Credit
	}
	return Debit
}

// Status is an account's life-cycle state; it decides which postings the
// account accepts.
type Status string

// Statuses.
const (
	StatusActive       Status = "active"        // accepts everything
	StatusFrozenDebits Status = "frozen_debits" // accepts credits only
	StatusFrozen       Status = "frozen"        // accepts nothing
	StatusDormant      Status = "dormant"       // accepts credits; debits need reactivation
	StatusClosed       Status = "closed"        // accepts nothing, for good
)

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	switch s {
	case StatusActive, StatusFrozenDebits, StatusFrozen, StatusDormant, StatusClosed:
		return true
	}
	return false
}

// PolicyKind says how far an account's balance may fall.
type PolicyKind string

// Balance policies.
const (
	// PolicyNonNegative: the available balance may not go below zero.
	PolicyNonNegative PolicyKind = "non_negative"
	// PolicyOverdraft: the balance may go down to minus the overdraft limit.
	PolicyOverdraft PolicyKind = "overdraft"
	// PolicyUnchecked: no limit. For internal accounts, whose balance is the
	// bank's own position; stores need not lock a running balance for them.
	PolicyUnchecked PolicyKind = "unchecked"
)

// BalancePolicy is an account's limit on its balance. The zero value is
// NonNegative.
type BalancePolicy struct {
	Kind PolicyKind
	// Limit is the overdraft limit in the account's currency, >= 0; zero
	// unless Kind is PolicyOverdraft.
	Limit decimal.Decimal
}

// NonNegative returns the policy of ordinary deposit accounts.
func NonNegative() BalancePolicy { return BalancePolicy{Kind: PolicyNonNegative} }

// Overdraft returns a policy letting the balance fall to -limit.
func Overdraft(limit decimal.Decimal) BalancePolicy {
	return BalancePolicy{Kind: PolicyOverdraft, Limit: limit}
}

// Unchecked returns the policy of internal accounts.
func Unchecked() BalancePolicy { return BalancePolicy{Kind: PolicyUnchecked} }

// Checked reports whether postings must be checked against the balance.
func (p BalancePolicy) Checked() bool { return p.Kind != PolicyUnchecked }

func (p BalancePolicy) normalized() BalancePolicy {
	if p.Kind == "" {
		p.Kind = PolicyNonNegative
	}
	return p
}

func (p BalancePolicy) validate(c money.Currency) error {
	switch p.Kind {
	case PolicyNonNegative, PolicyUnchecked:
		if !p.Limit.IsZero() {
			return invalid("policy.limit", "only an overdraft policy has a limit")
		}
	case PolicyOverdraft:
		if p.Limit.IsNegative() {
			return invalid("policy.limit", "must not be negative")
		}
		if !p.Limit.Equal(p.Limit.Truncate(c.MinorUnits())) {
			return invalid("policy.limit", fmt.Sprintf("has more decimal places than %s allows", c))
		}
		if exceeds(p.Limit, money.MaxAmount(c)) {
			return invalid("policy.limit", fmt.Sprintf("exceeds the largest amount accepted, %s", money.MaxAmount(c)))
		}
	default:
		return invalid("policy.kind", fmt.Sprintf("unknown policy %q", p.Kind))
	}
	return nil
}

// Account is a ledger account: a customer's deposit or loan, or one of the
// bank's internal accounts.
type Account struct {
	ID ID
	// Number is the human account number (see ValidateAccountNumber).
	Number string
	// Code is the chart code of an internal account ("vault_cash"); empty
	// for customer accounts.
	Code string
	// OwnerID is an opaque reference to the customer; empty for internal
	// accounts.
	OwnerID    string
	Product    Product
	Currency   money.Currency
	NormalSide Side
	Status     Status
	Policy     BalancePolicy
	OpenedOn   calendar.Date
	CreatedAt  time.Time

	// Class is the tier of an individual's demand account (class.go);
	// empty for other accounts. It is set when the account opens and
	// never changes.
	Class Class
	// Limits are a class II or III account's limits, copied from the
	// Service's ClassRules when it opens.
	Limits ClassLimits
	// Bound are the accounts of the same owner a class II or III account
	// pays without counting against its outflow limits (typically the
	// owner's class I account): named at opening, changed by Rebind.
	Bound []ID
	// BoundExternal are the owner's accounts at other banks the account
	// pays without counting against its outflow limits (a journal entry's
	// Payout to one of them): set by BindExternal.
	BoundExternal []ExternalAccount

	// ExternalRef is the opening client's own reference, if any.
	ExternalRef ExternalRef

	// Balance is the ledger balance in normal-side terms: for a
	// credit-normal account, credits minus debits. Held is the sum of the
	// account's active holds. Both are filled in by the store on reads.
	Balance money.Money
	Held    money.Money
}

// Available returns the balance the account can still spend: the ledger
// balance minus active holds plus any overdraft limit.
func (a Account) Available() money.Money {
	avail := a.Balance.Amount.Sub(a.Held.Amount)
	if a.Policy.Kind == PolicyOverdraft {
		avail = avail.Add(a.Policy.Limit)
	}
	return money.Money{Amount: avail, Currency: a.Currency}
}

// Validate checks the account's own fields: what a store may rely on when
// it creates one.
func (a Account) Validate() error {
	switch {
	case a.ID == NilID:
		return invalid("id", "is required")
	case !a.Product.Valid():
		return invalid("product", fmt.Sprintf("unknown product %q", a.Product))
	case !a.Currency.Valid():
		return invalid("currency", fmt.Sprintf("unknown currency %q", a.Currency))
	case !a.NormalSide.Valid():
		return invalid("normal_side", fmt.Sprintf("must be debit or credit, not %q", a.NormalSide))
	case !a.Status.Valid():
		return invalid("status", fmt.Sprintf("unknown status %q", a.Status))
	case len(a.OwnerID) > 200:
		return invalid("owner_id", "is longer than 200 bytes")
	case a.OpenedOn.IsZero() || !a.OpenedOn.Valid():
		return invalid("opened_on", "is required")
	}
	if err := text.Line(ErrInvalidInput, "owner_id", a.OwnerID); err != nil {
		return err
	}
	if err := text.Line(ErrInvalidInput, "code", a.Code); err != nil {
		return err
	}
	if err := ValidateAccountNumber(a.Number); err != nil {
		return err
	}
	if a.Product == ProductInternal {
		if a.Code == "" {
			return invalid("code", "an internal account needs a chart code")
		}
		if a.OwnerID != "" {
			return invalid("owner_id", "an internal account has no owner")
		}
	} else {
		if a.Code != "" {
			return invalid("code", "only internal accounts have a chart code")
		}
		if a.OwnerID == "" {
			return invalid("owner_id", "is required")
		}
		if a.NormalSide != a.Product.NormalSide() {
			return invalid("normal_side", fmt.Sprintf("%s accounts are %s-normal", a.Product, a.Product.NormalSide()))
		}
		if a.Policy.Kind == PolicyUnchecked {
			return invalid("policy.kind", "only internal accounts may be unchecked")
		}
	}
	if err := a.ExternalRef.Validate("external_ref"); err != nil {
		return err
	}
	if err := a.validateClass(); err != nil {
		return err
	}
	return a.Policy.validate(a.Currency)
}

// AccountFilter selects accounts for ListAccounts. Zero fields match
// everything. Results are in ascending ID order, after After, at most Limit.
type AccountFilter struct {
	OwnerID  string
	Status   Status
	Product  Product
	Currency money.Currency
	Code     string
	After    ID
	Limit    int
}

// validate checks the filter's text fields, which a store compares with
// what it holds.
func (f AccountFilter) validate() error {
	if err := text.Line(ErrInvalidInput, "owner_id", f.OwnerID); err != nil {
		return err
	}
	return text.Line(ErrInvalidInput, "code", f.Code)
}

// Matches reports whether a passes the filter's field conditions (not the
// paging ones).
func (f AccountFilter) Matches(a Account) bool {
	return (f.OwnerID == "" || f.OwnerID == a.OwnerID) &&
		(f.Status == "" || f.Status == a.Status) &&
		(f.Product == "" || f.Product == a.Product) &&
		(f.Currency == "" || f.Currency == a.Currency) &&
		(f.Code == "" || f.Code == a.Code)
}
