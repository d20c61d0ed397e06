package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// LargeValueReport computes and keeps the large-value transaction report
// of a business date from the transactions screened or observed that day
// (those the live decision let post). Computing a date again returns the
// report kept; it is not recomputed.
func (s *Service) LargeValueReport(ctx context.Context, date calendar.Date) (LargeValueReport, error) {
	if !date.Valid() {
		return LargeValueReport{}, invalid("business_date", "is required")
	}
	if r, err := s.store.LargeValueReport(ctx, date); err == nil || !isNotFound(err) {
		return r, err
	}
	txs, err := s.store.DayTransactions(ctx, date)
	if err != nil {
		return LargeValueReport{}, err
	}
	conv, err := s.converter(ctx, txs)
	if err != nil {
		return LargeValueReport{}, err
	}
	now := s.now()
	r := LargeValueReport{ID: NewID(), BusinessDate: date, Thresholds: s.thresholds,
		Lines: largeValueLines(txs, s.thresholds, conv), GeneratedAt: now}
	ev, err := newEvent(EventReportDrafted, now, ReportDrafted{ReportID: r.ID, Kind: "large_value", BusinessDate: date, Lines: len(r.Lines)}, r.ID)
	if err != nil {
		return LargeValueReport{}, err
	}
	r.Thresholds = s.thresholds
	kept, _, err := s.store.SaveLargeValueReport(ctx, r, ev)
	return kept, err
}

type lineKey struct {
	customer  string
	category  Category
	direction FlowDirection
	foreign   bool
}

// converter returns the foreign-currency transactions of txs converted to
// the foreign thresholds' currency, by transaction id, at the rate in
// force when each was made; nil when foreign transactions are not
// counted (no Foreign thresholds or no FXRates port). A rate that cannot
// be read fails the report, which is then computed again on the next
// request: a report kept without a transaction would under-report.
func (s *Service) converter(ctx context.Context, txs []Transaction) (map[ID]decimal.Decimal, error) {
	f := s.thresholds.Foreign
	if f == nil || s.fxRates == nil {
		return nil, nil
	}
	out := map[ID]decimal.Decimal{}
	for _, t := range txs {
		c := t.Amount.Currency
		if c == s.thresholds.Currency || t.Kind == KindStaff {
			continue
		}
		v := t.Amount.Amount
		if c != f.Currency {
			rate, err := s.fxRates.Rate(ctx, c, f.Currency, t.At)
			if err != nil {
				return nil, fmt.Errorf("%w: large-value report: no %s/%s rate at %s: %v", ErrUnavailable, c, f.Currency, t.At.Format(time.RFC3339), err)
			}
			v = v.Mul(rate).Round(f.Currency.MinorUnits())
		}
		out[t.ID] = v
	}
	return out, nil
}

// largeValueLines sums each customer's day per category and direction
// and keeps the sums at or above their threshold, ordered by customer,
// category and direction.
//
// Transactions in another currency than the thresholds' count, when conv
// has them (converted), against th.Foreign on lines of their own.
func largeValueLines(txs []Transaction, th AMLThresholds, conv map[ID]decimal.Decimal) []LargeValueLine {
	sums := map[lineKey]*LargeValueLine{}
	add := func(p Party, dir FlowDirection, t Transaction, amount decimal.Decimal, foreign bool) {
		if p.Customer == "" || p.External {
			return
		}
		kind := p.CustomerKind
		if kind == "" {
			kind = Individual
		}
		ccy, cash, dom, cross, nonInd := th.Currency, th.Cash, th.IndividualDomestic, th.IndividualCrossBorder, th.NonIndividual
		if foreign {
			f := th.Foreign
			ccy, cash, dom, cross, nonInd = f.Currency, f.Cash, f.IndividualDomestic, f.IndividualCrossBorder, f.NonIndividual
		}
		cat, limit := CategoryCash, cash
		if !t.Cash {
			cat, limit = CategoryTransferDomestic, dom
			if t.CrossBorder() {
				cat, limit = CategoryTransferCrossBorder, cross
			}
			if kind == NonIndividual {
				limit = nonInd
			}
		}
		k := lineKey{p.Customer, cat, dir, foreign}
		l := sums[k]
		if l == nil {
			l = &LargeValueLine{CustomerID: p.Customer, CustomerKind: kind, Category: cat, Direction: dir,
				Total: money.Zero(ccy), Threshold: money.Money{Amount: limit, Currency: ccy}}
			sums[k] = l
		}
		l.Total.Amount = l.Total.Amount.Add(amount)
		l.Count++
		l.Transactions = append(l.Transactions, t.ID)
	}
	for _, t := range txs {
		if t.Kind == KindStaff { // not a movement of money
			continue
		}
		amount, foreign := t.Amount.Amount, false
		if t.Amount.Currency != th.Currency {
			v, ok := conv[t.ID]
			if !ok || th.Foreign == nil {
				continue
			}
			amount, foreign = v, true
		}
		add(t.From, Debit, t, amount, foreign)
		add(t.To, Credit, t, amount, foreign)
	}
	var out []LargeValueLine
	for _, l := range sums {
		if l.Total.Amount.GreaterThanOrEqual(l.Threshold.Amount) {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b LargeValueLine) int {
		return strings.Compare(a.CustomerID+"|"+string(a.Category)+"|"+string(a.Direction)+"|"+string(a.Total.Currency),
			b.CustomerID+"|"+string(b.Category)+"|"+string(b.Direction)+"|"+string(b.Total.Currency))
	})
	if out == nil {
		out = []LargeValueLine{}
	}
	return out
}

// FileLargeValueReport sends a business date's report (computed if need
// be) to the filer and marks it filed. Filing again sends it again.
func (s *Service) FileLargeValueReport(ctx context.Context, date calendar.Date) (LargeValueReport, error) {
	if s.filer == nil {
		return LargeValueReport{}, errNoFiler
	}
	r, err := s.LargeValueReport(ctx, date)
	if err != nil {
		return LargeValueReport{}, err
	}
	body, err := json.MarshalIndent(largeValueDocument(r), "", "  ")
	if err != nil {
		return LargeValueReport{}, err
	}
	name := fmt.Sprintf("large-value-%s-%s.json", r.BusinessDate, r.ID)
	if err := s.filer.File(ctx, Filing{Kind: "large_value", Name: name, Body: body}); err != nil {
		return LargeValueReport{}, err
	}
	r.FiledAt = s.now()
	return r, s.store.MarkLargeValueFiled(ctx, date, r.FiledAt)
}

// DocumentFormat names the JSON form of filed reports (docs/risk.md).
const DocumentFormat = "bankkit.aml/1"

type filedDocument struct {
	Format string `json:"format"`
	Kind   string `json:"kind"`
	Report any    `json:"report"`
}

func largeValueDocument(r LargeValueReport) filedDocument {
	return filedDocument{Format: DocumentFormat, Kind: "large_value", Report: r}
}

// DraftSuspiciousReport drafts the suspicious-transaction report of a case
// closed as confirmed: its alerts, rules and transactions, and the
// narrative. A case has one report; drafting again returns it.
func (s *Service) DraftSuspiciousReport(ctx context.Context, caseID ID, narrative, by string) (SuspiciousReport, error) {
	if strings.TrimSpace(narrative) == "" {
		return SuspiciousReport{}, invalid("narrative", "is required")
	}
	if len(narrative) > 20000 {
		return SuspiciousReport{}, invalid("narrative", "is longer than 20000 bytes")
	}
	if err := textMultiline("narrative", narrative); err != nil {
		return SuspiciousReport{}, err
	}
	c, err := s.store.Case(ctx, caseID)
	if err != nil {
		return SuspiciousReport{}, err
	}
	if c.Status != CaseClosed || c.Outcome != Confirmed {
		return SuspiciousReport{}, fmt.Errorf("%w: case %s is %s %s; a report is drafted from a case closed as confirmed",
			ErrInvalidTransition, c.ID, c.Status, c.Outcome)
	}
	now := s.now()
	r := SuspiciousReport{ID: NewID(), CaseID: c.ID, CustomerID: c.CustomerID, Alerts: slices.Clone(c.Alerts),
		Rules: []string{}, Transactions: []Transaction{}, Total: []money.Money{}, Narrative: narrative, DraftedBy: by, DraftedAt: now}
	totals := map[money.Currency]decimal.Decimal{}
	for _, id := range c.Alerts {
		a, err := s.store.Alert(ctx, id)
		if err != nil {
			return SuspiciousReport{}, err
		}
		for _, ru := range a.Rules {
			if !slices.Contains(r.Rules, ru) {
				r.Rules = append(r.Rules, ru)
			}
		}
		if a.DecisionID == NilID {
			continue
		}
		d, err := s.store.Decision(ctx, a.DecisionID)
		if err != nil {
			return SuspiciousReport{}, err
		}
		r.Transactions = append(r.Transactions, d.Transaction)
		totals[d.Transaction.Amount.Currency] = totals[d.Transaction.Amount.Currency].Add(d.Transaction.Amount.Amount)
	}
	slices.Sort(r.Rules)
	for _, c := range money.Currencies() {
		if v, ok := totals[c]; ok {
			r.Total = append(r.Total, money.Money{Amount: v, Currency: c})
		}
	}
	ev, err := newEvent(EventReportDrafted, now, ReportDrafted{ReportID: r.ID, Kind: "suspicious", CaseID: c.ID}, r.ID)
	if err != nil {
		return SuspiciousReport{}, err
	}
	kept, _, err := s.store.SaveSuspiciousReport(ctx, r, ev)
	return kept, err
}

// SuspiciousReport returns a drafted report.
func (s *Service) SuspiciousReport(ctx context.Context, id ID) (SuspiciousReport, error) {
	return s.store.SuspiciousReport(ctx, id)
}

// FileSuspiciousReport sends a drafted report to the filer and marks it
// filed.
func (s *Service) FileSuspiciousReport(ctx context.Context, id ID) (SuspiciousReport, error) {
	if s.filer == nil {
		return SuspiciousReport{}, errNoFiler
	}
	r, err := s.store.SuspiciousReport(ctx, id)
	if err != nil {
		return SuspiciousReport{}, err
	}
	body, err := json.MarshalIndent(filedDocument{Format: DocumentFormat, Kind: "suspicious", Report: r}, "", "  ")
	if err != nil {
		return SuspiciousReport{}, err
	}
	if err := s.filer.File(ctx, Filing{Kind: "suspicious", Name: fmt.Sprintf("suspicious-%s.json", r.ID), Body: body}); err != nil {
		return SuspiciousReport{}, err
	}
	r.FiledAt = s.now()
	return r, s.store.MarkSuspiciousFiled(ctx, id, r.FiledAt)
}
