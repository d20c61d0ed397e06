package risk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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
	now := s.now()
	r := LargeValueReport{ID: NewID(), BusinessDate: date, Thresholds: s.thresholds,
		Lines: largeValueLines(txs, s.thresholds), GeneratedAt: now}
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
}

// largeValueLines sums each customer's day per category and direction
// and keeps the sums at or above their threshold, ordered by customer,
// category and direction.
func largeValueLines(txs []Transaction, th AMLThresholds) []LargeValueLine {
	sums := map[lineKey]*LargeValueLine{}
	add := func(p Party, dir FlowDirection, t Transaction) {
		if p.Customer == "" || p.External {
			return
		}
		kind := p.CustomerKind
		if kind == "" {
			kind = Individual
		}
		cat, limit := CategoryCash, th.Cash
		if !t.Cash {
			cat, limit = CategoryTransferDomestic, th.IndividualDomestic
			if t.CrossBorder() {
				cat, limit = CategoryTransferCrossBorder, th.IndividualCrossBorder
			}
			if kind == NonIndividual {
				limit = th.NonIndividual
			}
		}
		k := lineKey{p.Customer, cat, dir}
		l := sums[k]
		if l == nil {
			l = &LargeValueLine{CustomerID: p.Customer, CustomerKind: kind, Category: cat, Direction: dir,
				Total: money.Zero(th.Currency), Threshold: money.Money{Amount: limit, Currency: th.Currency}}
			sums[k] = l
		}
		l.Total.Amount = l.Total.Amount.Add(t.Amount.Amount)
		l.Count++
		l.Transactions = append(l.Transactions, t.ID)
	}
	for _, t := range txs {
		if t.Amount.Currency != th.Currency {
			continue
		}
		add(t.From, Debit, t)
		add(t.To, Credit, t)
	}
	var out []LargeValueLine
	for _, l := range sums {
		if l.Total.Amount.GreaterThanOrEqual(l.Threshold.Amount) {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b LargeValueLine) int {
		return strings.Compare(a.CustomerID+"|"+string(a.Category)+"|"+string(a.Direction),
			b.CustomerID+"|"+string(b.Category)+"|"+string(b.Direction))
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
