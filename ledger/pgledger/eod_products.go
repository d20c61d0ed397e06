package pgledger

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// productTerms is interest.Product as stored: enumerations by number, so
// that a flat rate's unset tier mode stores as 0 rather than failing.
type productTerms struct {
	Currency       money.Currency  `json:"currency"`
	DayCount       int             `json:"day_count"`
	Basis          int             `json:"basis"`
	Credit         []rateChange    `json:"credit"`
	Debit          []rateChange    `json:"debit,omitempty"`
	Compounding    int             `json:"compounding"`
	Posting        int             `json:"posting"`
	SettlementDay  int             `json:"settlement_day,omitempty"`
	SettlementMon  int             `json:"settlement_month,omitempty"`
	PayNextDay     bool            `json:"pay_next_day,omitempty"`
	MinimumBalance decimal.Decimal `json:"minimum_balance"`
	WithholdingTax decimal.Decimal `json:"withholding_tax"`
	Rounding       int             `json:"rounding"`
	// Term is stored as interest.TermRules marshals itself (its kind by
	// name); absent for the zero rules of products stored before it.
	Term *interest.TermRules `json:"term,omitempty"`
}

type rateChange struct {
	Effective calendar.Date   `json:"effective"`
	Annual    decimal.Decimal `json:"annual"`
	Mode      int             `json:"mode,omitempty"`
	Tiers     []tier          `json:"tiers,omitempty"`
}

type tier struct {
	From decimal.Decimal `json:"from"`
	Rate decimal.Decimal `json:"rate"`
}

func termsOf(p interest.Product) productTerms {
	var term *interest.TermRules
	if !reflect.DeepEqual(p.Term, interest.TermRules{}) {
		term = &p.Term
	}
	return productTerms{
		Term:     term,
		Currency: p.Currency, DayCount: int(p.DayCount), Basis: int(p.Basis),
		Credit: scheduleOf(p.Credit), Debit: scheduleOf(p.Debit),
		Compounding: int(p.Compounding), Posting: int(p.Posting),
		SettlementDay: p.Settlement.Day, SettlementMon: int(p.Settlement.Month), PayNextDay: p.PayNextDay,
		MinimumBalance: p.MinimumBalance, WithholdingTax: p.WithholdingTax, Rounding: int(p.Rounding),
	}
}

func scheduleOf(s interest.RateSchedule) []rateChange {
	out := make([]rateChange, len(s))
	for i, c := range s {
		out[i] = rateChange{Effective: c.Effective, Annual: c.Rate.Annual, Mode: int(c.Rate.Mode)}
		for _, t := range c.Rate.Tiers {
			out[i].Tiers = append(out[i].Tiers, tier{From: t.From, Rate: t.Rate})
		}
	}
	return out
}

func (t productTerms) product() interest.Product {
	var term interest.TermRules
	if t.Term != nil {
		term = *t.Term
	}
	return interest.Product{
		Term:     term,
		Currency: t.Currency, DayCount: money.DayCount(t.DayCount), Basis: interest.Basis(t.Basis),
		Credit: t.schedule(t.Credit), Debit: t.schedule(t.Debit),
		Compounding: interest.Period(t.Compounding), Posting: interest.Period(t.Posting),
		Settlement: interest.Cycle{Day: t.SettlementDay, Month: time.Month(t.SettlementMon)}, PayNextDay: t.PayNextDay,
		MinimumBalance: t.MinimumBalance, WithholdingTax: t.WithholdingTax, Rounding: money.RoundingMode(t.Rounding),
	}
}

func (productTerms) schedule(cs []rateChange) interest.RateSchedule {
	if len(cs) == 0 {
		return nil
	}
	out := make(interest.RateSchedule, len(cs))
	for i, c := range cs {
		r := interest.Rate{Annual: c.Annual, Mode: interest.TierMode(c.Mode)}
		for _, t := range c.Tiers {
			r.Tiers = append(r.Tiers, interest.Tier{From: t.From, Rate: t.Rate})
		}
		out[i] = interest.RateChange{Effective: c.Effective, Rate: r}
	}
	return out
}

// PutInterestProduct implements endofday.Store.
func (s *Store) PutInterestProduct(ctx context.Context, code string, p interest.Product) error {
	terms, err := json.Marshal(termsOf(p))
	if err != nil {
		return fmt.Errorf("pgledger: product %s: %w", code, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO ledger.interest_products (code, currency, terms) VALUES ($1, $2, $3)
		ON CONFLICT (code) DO UPDATE SET currency = excluded.currency, terms = excluded.terms`, code, string(p.Currency), terms)
	return err
}

// InterestProduct implements endofday.Store.
func (s *Store) InterestProduct(ctx context.Context, code string) (interest.Product, error) {
	var raw []byte
	err := s.db.GetContext(ctx, &raw, `SELECT terms FROM ledger.interest_products WHERE code = $1`, code)
	if err != nil {
		return interest.Product{}, noRows(err, fmt.Errorf("%w: interest product %q", ledger.ErrNotFound, code))
	}
	var t productTerms
	if err := json.Unmarshal(raw, &t); err != nil {
		return interest.Product{}, fmt.Errorf("pgledger: product %s: %w", code, err)
	}
	return t.product(), nil
}
