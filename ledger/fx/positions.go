package fx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// Position is the bank's open position in one currency.
type Position struct {
	// Open is the fx_position account's balance: positive when the bank is
	// long the currency.
	Open money.Money
	// Carrying is the home-currency value the foreign position is booked
	// at (zero for the home currency itself).
	Carrying money.Money
}

// Positions returns the open position in the home currency and in every
// foreign currency converted so far, the home currency first, then in
// currency order. Market-risk limits watch these figures.
func (s *Service) Positions(ctx context.Context) ([]Position, error) {
	totals, err := s.store.Totals(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Position, 0, len(totals)+1)
	home, err := s.balance(ctx, s.home, CodePosition)
	if err != nil {
		return nil, err
	}
	out = append(out, Position{Open: home, Carrying: money.Zero(s.home)})
	for _, t := range totals {
		open, err := s.balance(ctx, t.Currency, CodePosition)
		if err != nil {
			return nil, err
		}
		out = append(out, Position{Open: open, Carrying: money.Money{Amount: t.Carrying, Currency: s.home}})
	}
	return out, nil
}

// Income returns the realised spread income booked so far, in the home
// currency (the fx_income account's balance).
func (s *Service) Income(ctx context.Context) (money.Money, error) {
	return s.balance(ctx, s.home, CodeIncome)
}

// balance is a chart account's balance, zero when it does not exist yet.
func (s *Service) balance(ctx context.Context, c money.Currency, code string) (money.Money, error) {
	a, err := s.ledger.ChartAccount(ctx, c, code)
	if errors.Is(err, ledger.ErrNotFound) {
		return money.Zero(c), nil
	}
	if err != nil {
		return money.Money{}, err
	}
	return a.Balance, nil
}

// Revalue values each foreign position at date's closing mid rate (the
// last rate published for date) and posts the difference from its
// carrying value as unrealised gain or loss, value-dated date. It is
// idempotent for a date: a second run returns the first run's figures and
// posts nothing new. A currency with a position but no rate for date is
// a *ClosingRateError naming its pair (ErrNoClosingRate), after the other
// currencies are done: the policy is to stop, not to revalue at a stale
// rate or skip the currency, so the day's figures are never silently
// incomplete.
//
// Worked (the contract suite's figures): long USD 100.00 carried at CNY
// 715.00; closing mid 7.20 values it at 720.00, a gain of 5.00.
func (s *Service) Revalue(ctx context.Context, date calendar.Date) ([]Revaluation, error) {
	if date.IsZero() || !date.Valid() {
		return nil, invalid("business_date", "is required")
	}
	// A date after the business date could be recorded but never posted
	// (the ledger takes no future value date), so it is refused first.
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return nil, err
	}
	if date.After(today) {
		return nil, invalid("business_date", fmt.Sprintf("%s is after the business date %s", date, today))
	}
	totals, err := s.store.Totals(ctx)
	if err != nil {
		return nil, err
	}
	var out []Revaluation
	var errs []error
	for _, t := range totals {
		r, err := s.revalue(ctx, date, t.Currency)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

func (s *Service) revalue(ctx context.Context, date calendar.Date, c money.Currency) (Revaluation, error) {
	pair := Pair{Base: c, Quote: s.home}
	rates, err := s.store.Rates(ctx, pair, date)
	if err != nil {
		return Revaluation{}, err
	}
	now := s.clock.Now().UTC()
	r, _, err := s.store.Revalue(ctx, date, c, func(t Totals) (Revaluation, error) {
		r := Revaluation{BusinessDate: date, Currency: c, Home: s.home, Position: t.Position, Carrying: t.Carrying, CreatedAt: now}
		if t.Position.IsZero() && t.Carrying.IsZero() {
			return r, nil
		}
		if len(rates) == 0 {
			return Revaluation{}, &ClosingRateError{Pair: pair, Date: date}
		}
		closing := rates[len(rates)-1]
		r.ClosingMid, r.RateID = closing.Mid, closing.ID
		r.Value = t.Position.Mul(closing.Mid).RoundBank(s.home.MinorUnits())
		r.Gain = r.Value.Sub(t.Carrying)
		return r, nil
	})
	if err != nil || r.Gain.IsZero() {
		return r, err
	}
	entry, err := s.revaluationEntry(ctx, r)
	if err != nil {
		return Revaluation{}, err
	}
	res, err := s.ledger.PostJournal(ctx, ledger.JournalBatch{Scope: journalScope, Entries: []ledger.JournalRequest{entry}})
	if err != nil {
		return Revaluation{}, err
	}
	if res[0].Err != nil {
		return Revaluation{}, res[0].Err
	}
	r.EntryID = res[0].Entry.ID
	return r, s.store.SetRevaluationEntry(ctx, date, c, r.EntryID)
}

// revaluationEntry posts a gain as debit fx_position_revaluation, credit
// fx_revaluation; a loss the other way round.
func (s *Service) revaluationEntry(ctx context.Context, r Revaluation) (ledger.JournalRequest, error) {
	adj, err := s.ledger.EnsureChartAccount(ctx, r.Home, positionRevalue)
	if err != nil {
		return ledger.JournalRequest{}, err
	}
	pl, err := s.ledger.EnsureChartAccount(ctx, r.Home, revaluationAccount)
	if err != nil {
		return ledger.JournalRequest{}, err
	}
	amount := money.Money{Amount: r.Gain.Abs(), Currency: r.Home}
	dr, cr := adj.ID, pl.ID
	if r.Gain.IsNegative() {
		dr, cr = cr, dr
	}
	return ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: dr, Side: ledger.Debit, Amount: amount},
			{AccountID: cr, Side: ledger.Credit, Amount: amount},
		},
		Description: fmt.Sprintf("FX revaluation of %s %s at %s", r.Currency, r.Position, r.ClosingMid),
		Metadata: map[string]string{
			"fx.revaluation": string(r.Currency), "fx.position": r.Position.String(),
			"fx.closing_mid": r.ClosingMid.String(), "fx.carrying": r.Carrying.String(), "fx.value": r.Value.String(),
		},
		ValueDate:      r.BusinessDate,
		IdempotencyKey: "revaluation/" + r.BusinessDate.String() + "/" + string(r.Currency),
	}, nil
}

// Revaluations returns the revaluations recorded for date.
func (s *Service) Revaluations(ctx context.Context, date calendar.Date) ([]Revaluation, error) {
	if date.IsZero() || !date.Valid() {
		return nil, invalid("business_date", "is required")
	}
	return s.store.Revaluations(ctx, date)
}

// TotalsDifference is a currency whose running totals differ from the
// sum of its conversions and revaluations.
type TotalsDifference struct {
	Currency   money.Currency
	Running    Totals // what Totals reads (zero when the currency has no row)
	Recomputed Totals // the sum of the posted conversions and revaluations
}

// ReconcileTotals recomputes every currency's totals from the posted
// conversions and the revaluations (reading them all, unlike Positions
// and Revalue) and compares them with the running totals, at one moment.
// It returns the currencies that differ, none when the running totals are
// right; a difference means a store kept them wrongly and is for the
// treasury's back office to investigate.
func (s *Service) ReconcileTotals(ctx context.Context) ([]TotalsDifference, error) {
	recomputed, running, err := s.store.RecomputeTotals(ctx)
	if err != nil {
		return nil, err
	}
	by := map[money.Currency]*TotalsDifference{}
	get := func(c money.Currency) *TotalsDifference {
		d, ok := by[c]
		if !ok {
			d = &TotalsDifference{Currency: c, Running: Totals{Currency: c}, Recomputed: Totals{Currency: c}}
			by[c] = d
		}
		return d
	}
	for _, t := range recomputed {
		get(t.Currency).Recomputed = t
	}
	for _, t := range running {
		get(t.Currency).Running = t
	}
	var out []TotalsDifference
	for _, d := range by {
		r, c := d.Running, d.Recomputed
		if !r.Position.Equal(c.Position) || !r.Carrying.Equal(c.Carrying) || !r.Income.Equal(c.Income) {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(a, b TotalsDifference) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	return out, nil
}
