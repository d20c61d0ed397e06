package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// The loan-loss allowance on the books: the provisions the book calls for
// (Provisions) posted to the ledger, so the balance sheet shows loans net
// of their allowance and the income statement the provision expense.
const (
	// ChartLoanLossAllowance is the allowance for loan losses: a
	// credit-normal contra-asset the adapter creates on demand.
	ChartLoanLossAllowance = "loan_loss_allowance"
	// ChartProvisionExpense is the expense of raising the allowance (a
	// release credits it): debit-normal, created on demand.
	ChartProvisionExpense = "provision_expense"
)

// ChartBalances is what posting provisions needs of the ledger beyond
// the Ledger port: the balance of one of the bank's chart accounts in a
// currency, in its normal-side terms (zero for an account not yet
// created). The reference server's adapter implements it.
type ChartBalances interface {
	ChartAccountBalance(ctx context.Context, chart string, c money.Currency) (money.Money, error)
}

// ProvisionPosting is what PostProvisions did in one currency.
type ProvisionPosting struct {
	Currency money.Currency `json:"currency"`
	Target   money.Money    `json:"target"` // the provisions the book calls for
	Before   money.Money    `json:"before"` // the allowance on the books before
	Change   money.Money    `json:"change"` // posted: positive raises the allowance, negative releases it
	Entry    EntryRef       `json:"entry,omitempty"`
}

// ProvisionsKey is the ledger key of the allowance's change in a currency
// on a business date to a target: a re-run that finds the allowance where
// it was left posts nothing, a crash between the post and its answer
// replays, and a book that moved since posts the new difference.
func ProvisionsKey(date calendar.Date, target money.Money) string {
	return fmt.Sprintf("provisions/%s/%s/%s", date, target.Currency, target.ValueString())
}

// PostProvisions brings the loan-loss allowance in each currency (those of
// the loans on the books and of the products) to the provisions the book
// calls for on a business date not after today: the difference from the
// allowance's balance is posted — debit provision_expense, credit
// loan_loss_allowance to raise it; the reverse to release it. A currency
// already at its target posts nothing. The Ledger port must implement
// ChartBalances (ErrUnavailable otherwise).
func (s *Service) PostProvisions(ctx context.Context, date calendar.Date) ([]ProvisionPosting, error) {
	if date.IsZero() || !date.Valid() {
		return nil, invalid("date", "is required")
	}
	today, err := s.today(ctx)
	if err != nil {
		return nil, err
	}
	if date.After(today) {
		return nil, invalid("date", "must not be after the business date %s", today)
	}
	if err := s.needLedger(); err != nil {
		return nil, err
	}
	cb, ok := s.ledger.(ChartBalances)
	if !ok {
		return nil, fmt.Errorf("%w: the ledger port does not read chart balances", ErrUnavailable)
	}
	lines, err := s.Provisions(ctx)
	if err != nil {
		return nil, err
	}
	target := map[money.Currency]decimal.Decimal{}
	for _, l := range lines {
		target[l.Currency] = target[l.Currency].Add(l.Provision.Amount)
	}
	for after := NilID; ; {
		ps, err := s.store.Products(ctx, Page{After: after, Limit: MaxPageLimit})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if _, ok := target[p.Currency]; !ok {
				target[p.Currency] = decimal.Zero
			}
		}
		if len(ps) < MaxPageLimit {
			break
		}
		after = ps[len(ps)-1].ID
	}
	currencies := make([]money.Currency, 0, len(target))
	for c := range target {
		currencies = append(currencies, c)
	}
	slices.Sort(currencies)
	out := make([]ProvisionPosting, 0, len(currencies))
	for _, c := range currencies {
		before, err := cb.ChartAccountBalance(ctx, ChartLoanLossAllowance, c)
		if err != nil {
			return out, port("ledger", err)
		}
		want := m(c, target[c])
		change := want.Amount.Sub(before.Amount)
		pp := ProvisionPosting{Currency: c, Target: want, Before: m(c, before.Amount), Change: m(c, change)}
		if !change.IsZero() {
			up, down := Leg{Chart: ChartProvisionExpense, Side: Debit, Amount: m(c, change.Abs())},
				Leg{Chart: ChartLoanLossAllowance, Side: Credit, Amount: m(c, change.Abs())}
			if change.IsNegative() {
				up.Side, down.Side = Credit, Debit
			}
			ref, err := s.ledger.Post(ctx, LedgerEntry{Key: ProvisionsKey(date, want),
				Description: fmt.Sprintf("Loan-loss allowance %s to %s on %s", c, want.ValueString(), date),
				Metadata:    map[string]string{"kind": "provisions", "date": date.String(), "target": want.ValueString()},
				Legs:        []Leg{up, down}})
			if err != nil {
				if errors.Is(err, ErrRefused) {
					return out, err
				}
				return out, port("ledger", err)
			}
			pp.Entry = ref
		}
		out = append(out, pp)
	}
	return out, nil
}
