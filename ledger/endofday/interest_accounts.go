package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/shopspring/decimal"
)

// maxProductCode bounds a product code's length.
const maxProductCode = 64

// SetInterestProduct registers an interest product under code, or replaces
// it. To change a rate, append a change with its effective date to the
// schedule and set the product again: days before the date keep accruing
// at the old rate, so history is never rewritten. The product's currency
// may not change.
func (e *Service) SetInterestProduct(ctx context.Context, code string, p interest.Product) error {
	if err := validProductCode(code); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return invalid("product", err.Error())
	}
	old, err := e.store.InterestProduct(ctx, code)
	switch {
	case err == nil && old.Currency != p.Currency:
		return fmt.Errorf("%w: product %s is in %s, not %s", ledger.ErrCurrencyMismatch, code, old.Currency, p.Currency)
	case err != nil && !errors.Is(err, ledger.ErrNotFound):
		return err
	}
	return e.store.PutInterestProduct(ctx, code, p)
}

// InterestProduct returns a registered product.
func (e *Service) InterestProduct(ctx context.Context, code string) (interest.Product, error) {
	if err := validProductCode(code); err != nil {
		return interest.Product{}, err
	}
	return e.store.InterestProduct(ctx, code)
}

// AssignInterestProduct makes a demand account earn (and, if overdrawn,
// pay) interest under a product, from the business date on. The product's
// currency must be the account's. Assigning the same product again is a
// no-op; another product is ErrDuplicate.
func (e *Service) AssignInterestProduct(ctx context.Context, accountID ledger.ID, code string) (InterestAccount, error) {
	if accountID == ledger.NilID {
		return InterestAccount{}, invalid("account_id", "is required")
	}
	if err := validProductCode(code); err != nil {
		return InterestAccount{}, err
	}
	a, err := e.svc.Account(ctx, accountID)
	if err != nil {
		return InterestAccount{}, err
	}
	if a.Product != ledger.ProductDemand {
		return InterestAccount{}, invalid("account_id", fmt.Sprintf("interest products are for demand accounts, not %s", a.Product))
	}
	p, err := e.store.InterestProduct(ctx, code)
	if err != nil {
		return InterestAccount{}, err
	}
	if p.Currency != a.Currency {
		return InterestAccount{}, fmt.Errorf("%w: product %s is in %s, account %s in %s", ledger.ErrCurrencyMismatch, code, p.Currency, a.Number, a.Currency)
	}
	from, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return InterestAccount{}, err
	}
	stored, _, err := e.store.CreateInterestAccount(ctx, InterestAccount{AccountID: accountID, Currency: a.Currency, ProductCode: code, From: from})
	return stored, err
}

// InterestAccount returns an account's accrual state.
func (e *Service) InterestAccount(ctx context.Context, accountID ledger.ID) (InterestAccount, error) {
	if accountID == ledger.NilID {
		return InterestAccount{}, invalid("account_id", "is required")
	}
	return e.store.InterestAccount(ctx, accountID)
}

func validProductCode(code string) error {
	if code == "" || len(code) > maxProductCode {
		return invalid("product_code", fmt.Sprintf("must be 1 to %d bytes", maxProductCode))
	}
	for i := 0; i < len(code); i++ {
		if code[i] <= 0x20 || code[i] > 0x7e {
			return invalid("product_code", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// creditRate is the product's annual credit rate on day for a balance:
// the flat rate, or for a tiered rate the effective rate on that balance
// (its annual interest over the balance, to ten places), the first tier's
// for a balance of zero.
func creditRate(p interest.Product, day calendar.Date, balance decimal.Decimal) (decimal.Decimal, error) {
	r, err := p.Credit.On(day)
	switch {
	case err != nil:
		return decimal.Zero, err
	case len(r.Tiers) == 0:
		return r.Annual, nil
	case !balance.IsPositive():
		return r.Tiers[0].Rate, nil
	}
	return r.AnnualInterest(balance).DivRound(balance, 10), nil
}
