package channel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Payee is a beneficiary a customer saved: an account of this bank
// (AccountID) or of another (BankCode and AccountNumber). Until
// CoolingUntil a transfer to it may move at most
// OnlineConfig.PayeeCoolingCap.
type Payee struct {
	ID            uuid.UUID
	CustomerID    string
	Name          string
	AccountID     string
	BankCode      string
	AccountNumber string
	CreatedAt     time.Time
	CoolingUntil  time.Time
}

// NewPayee is a request to save a payee.
type NewPayee struct {
	Name          string
	AccountID     string // an account of this bank, or
	BankCode      string // another bank's code and
	AccountNumber string // the account number there
}

// Params are what a step-up for adding this payee is bound to.
func (n NewPayee) Params() ActionParams {
	return ActionParams{"name": n.Name, "account_id": n.AccountID, "bank_code": n.BankCode, "account_number": n.AccountNumber}
}

// Validate checks the request.
func (n NewPayee) Validate() error {
	if n.Name == "" || len(n.Name) > 100 {
		return invalid("name", "must be 1 to 100 bytes")
	}
	if err := text.Line(ErrInvalidInput, "name", n.Name); err != nil {
		return err
	}
	switch {
	case n.AccountID != "" && (n.BankCode != "" || n.AccountNumber != ""):
		return invalid("account_id", "give account_id, or bank_code and account_number, not both")
	case n.AccountID != "":
		if _, err := uuid.Parse(n.AccountID); err != nil {
			return invalid("account_id", "must be an account id")
		}
	case n.BankCode == "":
		return invalid("bank_code", "is required with account_number (or give account_id)")
	case n.AccountNumber == "":
		return invalid("account_number", "is required with bank_code")
	default:
		if !alnum(n.BankCode, 3, 12) {
			return invalid("bank_code", "must be 3 to 12 letters or digits")
		}
		if !alnum(n.AccountNumber, 4, 34) {
			return invalid("account_number", "must be 4 to 34 letters or digits")
		}
	}
	return nil
}

func alnum(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// AddPayee saves a payee for p's customer after spending a step-up proof
// for ActionAddPayee with n.Params(). A payee that is one of the
// customer's own accounts is ErrOwnAccount; the same account twice is
// ErrDuplicate.
func (o *Online) AddPayee(ctx context.Context, p Principal, n NewPayee, stepUp string) (Payee, error) {
	customerID, err := customerOf(p)
	if err != nil {
		return Payee{}, err
	}
	if err := n.Validate(); err != nil {
		return Payee{}, err
	}
	if n.AccountID != "" {
		if o.owners == nil {
			return Payee{}, invalid("account_id", "this bank's accounts cannot be payees here (no account directory)")
		}
		owner, err := o.owners.AccountOwner(ctx, n.AccountID)
		if err != nil {
			return Payee{}, err
		}
		if owner == customerID {
			return Payee{}, fault.Field(ErrOwnAccount, "account_id", "is one of your own accounts")
		}
	}
	if err := o.ConsumeStepUp(ctx, p, stepUp, ActionAddPayee, n.Params()); err != nil {
		return Payee{}, err
	}
	id, err := newID()
	if err != nil {
		return Payee{}, err
	}
	now := o.now()
	py := Payee{ID: id, CustomerID: customerID, Name: n.Name, AccountID: n.AccountID, BankCode: n.BankCode,
		AccountNumber: n.AccountNumber, CreatedAt: now, CoolingUntil: now.Add(o.cfg.PayeeCooling)}
	if err := o.store.CreatePayee(ctx, py); err != nil {
		return Payee{}, err
	}
	return py, nil
}

// Payees lists the customer's payees in the order they were added.
func (o *Online) Payees(ctx context.Context, customerID string) ([]Payee, error) {
	if customerID == "" {
		return nil, invalid("customer_id", "is required")
	}
	return o.store.ListPayees(ctx, customerID)
}

// Payee returns one of the customer's payees (ErrNotFound for another's).
func (o *Online) Payee(ctx context.Context, customerID string, id uuid.UUID) (Payee, error) {
	if err := validateID("payee_id", id); err != nil {
		return Payee{}, err
	}
	py, err := o.store.Payee(ctx, id)
	if err != nil {
		return Payee{}, err
	}
	if py.CustomerID != customerID {
		return Payee{}, fmt.Errorf("%w: payee %s", ErrNotFound, id)
	}
	return py, nil
}

// RenamePayee changes the name the customer knows the payee by. Renaming
// does not restart the cooling-off period: the account is the same.
func (o *Online) RenamePayee(ctx context.Context, customerID string, id uuid.UUID, name string) (Payee, error) {
	if err := (NewPayee{Name: name, BankCode: "XXX", AccountNumber: "0000"}).Validate(); err != nil {
		return Payee{}, err
	}
	if _, err := o.Payee(ctx, customerID, id); err != nil {
		return Payee{}, err
	}
	return o.store.RenamePayee(ctx, id, name)
}

// DeletePayee removes one of the customer's payees.
func (o *Online) DeletePayee(ctx context.Context, customerID string, id uuid.UUID) error {
	if _, err := o.Payee(ctx, customerID, id); err != nil {
		return err
	}
	return o.store.DeletePayee(ctx, id)
}

// CheckPayeeCap refuses (ErrCoolingOff) a transfer of amount from the
// customer to an account of this bank that is one of their payees still
// cooling off, above OnlineConfig.PayeeCoolingCap. Other destinations pass.
func (o *Online) CheckPayeeCap(ctx context.Context, customerID, accountID string, amount money.Money) error {
	py, err := o.store.PayeeByAccount(ctx, customerID, accountID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	now := o.now()
	if !now.Before(py.CoolingUntil) {
		return nil
	}
	limit, ok := o.cfg.PayeeCoolingCap[amount.Currency]
	if ok && !amount.Amount.GreaterThan(limit) {
		return nil
	}
	return fault.Field(ErrCoolingOff, "amount", fmt.Sprintf("payee %q may receive at most %s %s a transfer until %s", py.Name,
		limit.StringFixed(amount.Currency.MinorUnits()), amount.Currency, py.CoolingUntil.Format(time.RFC3339)))
}
