package credit

import (
	"context"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Credit-risk measures of the book, as queries the risk and finance
// subsystems read. The Store aggregates (pgcredit in SQL, grouped and
// summed in the database), so the book is never read whole into memory.

// Dimension is what exposure is grouped by.
type Dimension string

// The dimensions (every grouping is by currency too).
const (
	ByClassification Dimension = "classification"
	ByProduct        Dimension = "product"
	ByGrade          Dimension = "grade"
	ByCustomer       Dimension = "customer"
)

// ExposureQuery groups the outstanding principal of loans on the books
// (active or disbursing) by currency and the dimensions in By; Top
// keeps the largest rows by outstanding (0: all of them).
type ExposureQuery struct {
	By  []Dimension
	Top int
}

// ExposureRow is one group: the loans in it, their outstanding principal
// and the sum of each loan's probability of default times its
// outstanding (for an exposure-weighted PD). Fields not grouped by are
// zero.
type ExposureRow struct {
	Currency       money.Currency  `json:"currency"`
	Classification Classification  `json:"classification,omitempty"`
	ProductID      ID              `json:"product_id,omitzero"`
	Grade          string          `json:"grade,omitempty"`
	CustomerID     ID              `json:"customer_id,omitzero"`
	Loans          int             `json:"loans"`
	Outstanding    decimal.Decimal `json:"outstanding"`
	PDWeighted     decimal.Decimal `json:"pd_weighted"`
}

// MigrationCell counts the loans classified From on one date and To on a
// later one. Besides the five categories, a loan repaid by a date is
// "closed" and one written off "written_off"; loans not yet paid out on
// the first date are left out.
type MigrationCell struct {
	From  string `json:"from" db:"from"`
	To    string `json:"to" db:"to"`
	Loans int    `json:"loans" db:"loans"`
}

// The states of a migration matrix besides the five categories.
const (
	StateClosed     = "closed"
	StateWrittenOff = "written_off"
)

// BookedOn is the date the loan was first paid out; zero before.
func (l Loan) BookedOn() calendar.Date {
	if len(l.Tranches) == 0 {
		return calendar.Date{}
	}
	return l.Tranches[0].On
}

// ClassificationOn is the loan's state at the end of d for the migration
// matrix: its category (from its history; normal before any change),
// closed or written_off; empty when it was not paid out by d.
func (l Loan) ClassificationOn(d calendar.Date) string {
	booked := l.BookedOn()
	switch {
	case booked.IsZero() || booked.After(d):
		return ""
	case l.WriteOff != nil && !l.WriteOff.On.After(d):
		return StateWrittenOff
	case l.Status == LoanClosed && !l.ClosedOn.After(d):
		return StateClosed
	}
	c := string(ClassNormal)
	for _, h := range l.Standing.History {
		if h.What == "classification" && !h.On.After(d) {
			c = h.To
		}
	}
	return c
}

// OnBooks reports whether the loan is on the books: paid out (in whole or
// part) and neither repaid nor written off.
func (l Loan) OnBooks() bool { return l.Status == LoanActive || l.Status == LoanDisbursing }

// Exposure aggregates loans as ExposureQuery says: a reference
// implementation for stores that hold loans in memory.
func Exposure(loans []Loan, q ExposureQuery) []ExposureRow {
	type key struct {
		c     money.Currency
		class Classification
		prod  ID
		grade string
		cust  ID
	}
	groups := map[key]*ExposureRow{}
	var order []key
	for _, l := range loans {
		if !l.OnBooks() {
			continue
		}
		k := key{c: l.Currency()}
		for _, d := range q.By {
			switch d {
			case ByClassification:
				k.class = Worse(l.Standing.Classification, "")
			case ByProduct:
				k.prod = l.ProductID
			case ByGrade:
				k.grade = l.Grade
			case ByCustomer:
				k.cust = l.CustomerID
			}
		}
		g, ok := groups[k]
		if !ok {
			g = &ExposureRow{Currency: k.c, Classification: k.class, ProductID: k.prod, Grade: k.grade, CustomerID: k.cust,
				Outstanding: decimal.Zero, PDWeighted: decimal.Zero}
			groups[k] = g
			order = append(order, k)
		}
		g.Loans++
		g.Outstanding = g.Outstanding.Add(l.Outstanding.Amount)
		g.PDWeighted = g.PDWeighted.Add(l.PD.Mul(l.Outstanding.Amount))
	}
	out := make([]ExposureRow, 0, len(order))
	for _, k := range order {
		out = append(out, *groups[k])
	}
	SortExposure(out)
	if q.Top > 0 && len(out) > q.Top {
		out = out[:q.Top]
	}
	return out
}

// SortExposure orders rows as every Store returns them: largest
// outstanding first, then by currency, classification, product, grade
// and customer.
func SortExposure(rows []ExposureRow) {
	slices.SortStableFunc(rows, func(a, b ExposureRow) int {
		if c := b.Outstanding.Cmp(a.Outstanding); c != 0 {
			return c
		}
		for _, c := range []int{strings.Compare(string(a.Currency), string(b.Currency)),
			strings.Compare(string(a.Classification), string(b.Classification)),
			strings.Compare(a.ProductID.String(), b.ProductID.String()), strings.Compare(a.Grade, b.Grade),
			strings.Compare(a.CustomerID.String(), b.CustomerID.String())} {
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// Migration counts loans by their state on from and on to: a reference
// implementation for stores that hold loans in memory.
func Migration(loans []Loan, from, to calendar.Date) []MigrationCell {
	counts := map[[2]string]int{}
	for _, l := range loans {
		a := l.ClassificationOn(from)
		if a == "" {
			continue
		}
		counts[[2]string{a, l.ClassificationOn(to)}]++
	}
	out := make([]MigrationCell, 0, len(counts))
	for k, n := range counts {
		out = append(out, MigrationCell{From: k[0], To: k[1], Loans: n})
	}
	SortMigration(out)
	return out
}

var stateRank = map[string]int{string(ClassNormal): 0, string(ClassSpecialMention): 1, string(ClassSubstandard): 2,
	string(ClassDoubtful): 3, string(ClassLoss): 4, StateClosed: 5, StateWrittenOff: 6}

// SortMigration orders cells as every Store returns them: by From, then
// To, in the order normal … loss, closed, written_off.
func SortMigration(cells []MigrationCell) {
	slices.SortFunc(cells, func(a, b MigrationCell) int {
		if c := stateRank[a.From] - stateRank[b.From]; c != 0 {
			return c
		}
		return stateRank[a.To] - stateRank[b.To]
	})
}

// RiskSettings are the parameters of the risk measures.
type RiskSettings struct {
	// ProvisionRates is the provision as a share of outstanding principal
	// by classification.
	ProvisionRates map[Classification]decimal.Decimal `json:"provision_rates"`
	// LGD is the loss given default expected loss uses, as a share.
	LGD decimal.Decimal `json:"lgd"`
	// CustomerLimit and ProductLimit are the most of a currency's book one
	// customer, or one product, may hold, as a share.
	CustomerLimit decimal.Decimal `json:"customer_limit"`
	ProductLimit  decimal.Decimal `json:"product_limit"`
}

// DefaultRiskSettings: provision rates of 1% (normal), 2% (special
// mention), 25% (substandard), 50% (doubtful) and 100% (loss), the
// general 1% and the specific rates of the PBoC's 2002 guidelines on
// loan loss provisioning (银行贷款损失准备计提指引), which a bank
// replaces by its own; an LGD of 45%, the Basel II foundation IRB value
// for senior unsecured claims; concentration limits of 10% of the book
// per customer and 50% per product (the project's defaults, not a
// regulator's: the regulatory single-borrower limit is a share of the
// bank's capital, which credit does not know).
func DefaultRiskSettings() RiskSettings {
	return RiskSettings{ProvisionRates: map[Classification]decimal.Decimal{ClassNormal: decimal.RequireFromString("0.01"),
		ClassSpecialMention: decimal.RequireFromString("0.02"), ClassSubstandard: decimal.RequireFromString("0.25"),
		ClassDoubtful: decimal.RequireFromString("0.5"), ClassLoss: decimal.NewFromInt(1)},
		LGD: decimal.RequireFromString("0.45"), CustomerLimit: decimal.RequireFromString("0.1"),
		ProductLimit: decimal.RequireFromString("0.5")}
}

// Validate checks the settings: a rate for each of the five categories
// and every share between 0 and 1.
func (r RiskSettings) Validate() error {
	share := func(d decimal.Decimal) bool { return !d.IsNegative() && !d.GreaterThan(decimal.NewFromInt(1)) }
	for c := range classRank {
		rate, ok := r.ProvisionRates[c]
		if !ok || !share(rate) {
			return invalid("provision_rates."+string(c), "must be given, 0 to 1")
		}
	}
	if len(r.ProvisionRates) != len(classRank) {
		return invalid("provision_rates", "must name only the five categories")
	}
	if !share(r.LGD) {
		return invalid("lgd", "must be 0 to 1")
	}
	if !share(r.CustomerLimit) || r.CustomerLimit.IsZero() {
		return invalid("customer_limit", "must be above 0, at most 1")
	}
	if !share(r.ProductLimit) || r.ProductLimit.IsZero() {
		return invalid("product_limit", "must be above 0, at most 1")
	}
	return nil
}

// WithRiskSettings sets the risk measures' parameters (default
// DefaultRiskSettings).
func WithRiskSettings(r RiskSettings) Option {
	return func(s *Service) error {
		if err := r.Validate(); err != nil {
			return err
		}
		rates := make(map[Classification]decimal.Decimal, len(r.ProvisionRates))
		for c, v := range r.ProvisionRates {
			rates[c] = v
		}
		r.ProvisionRates = rates
		s.risk = r
		return nil
	}
}

// ProvisionLine is the provision on one classification in one currency.
type ProvisionLine struct {
	Currency       money.Currency  `json:"currency"`
	Classification Classification  `json:"classification"`
	Loans          int             `json:"loans"`
	Outstanding    money.Money     `json:"outstanding"`
	Rate           decimal.Decimal `json:"rate"`
	Provision      money.Money     `json:"provision"` // outstanding × rate, rounded half even to the minor unit
}

// Provisions is the provision the book calls for, by currency and
// classification (in the order normal … loss), at the configured rates.
func (s *Service) Provisions(ctx context.Context) ([]ProvisionLine, error) {
	rows, err := s.store.Exposure(ctx, ExposureQuery{By: []Dimension{ByClassification}})
	if err != nil {
		return nil, err
	}
	out := make([]ProvisionLine, 0, len(rows))
	for _, r := range rows {
		rate := s.risk.ProvisionRates[r.Classification]
		out = append(out, ProvisionLine{Currency: r.Currency, Classification: r.Classification, Loans: r.Loans,
			Outstanding: m(r.Currency, r.Outstanding), Rate: rate,
			Provision: m(r.Currency, r.Outstanding.Mul(rate).RoundBank(r.Currency.MinorUnits()))})
	}
	slices.SortFunc(out, func(a, b ProvisionLine) int {
		if c := strings.Compare(string(a.Currency), string(b.Currency)); c != 0 {
			return c
		}
		return classRank[a.Classification] - classRank[b.Classification]
	})
	return out, nil
}

// LossLine is the expected loss of one product and grade in one
// currency: EL = PD × LGD × EAD, with EAD the outstanding principal and
// PD the exposure-weighted mean of the loans' PDs at scoring.
type LossLine struct {
	Currency  money.Currency  `json:"currency"`
	ProductID ID              `json:"product_id"`
	Grade     string          `json:"grade"`
	Loans     int             `json:"loans"`
	EAD       money.Money     `json:"ead"`
	PD        decimal.Decimal `json:"pd"`
	LGD       decimal.Decimal `json:"lgd"`
	EL        money.Money     `json:"el"`
}

// ExpectedLoss is the book's expected loss by currency, product and
// grade, largest exposure first. Each loan contributes its own PD × LGD
// × outstanding; the line's PD is their exposure-weighted mean (to 6
// places).
func (s *Service) ExpectedLoss(ctx context.Context) ([]LossLine, error) {
	rows, err := s.store.Exposure(ctx, ExposureQuery{By: []Dimension{ByProduct, ByGrade}})
	if err != nil {
		return nil, err
	}
	out := make([]LossLine, 0, len(rows))
	for _, r := range rows {
		pd := decimal.Zero
		if r.Outstanding.IsPositive() {
			pd = r.PDWeighted.DivRound(r.Outstanding, 6)
		}
		out = append(out, LossLine{Currency: r.Currency, ProductID: r.ProductID, Grade: r.Grade, Loans: r.Loans,
			EAD: m(r.Currency, r.Outstanding), PD: pd, LGD: s.risk.LGD,
			EL: m(r.Currency, r.PDWeighted.Mul(s.risk.LGD).RoundBank(r.Currency.MinorUnits()))})
	}
	return out, nil
}

// MigrationMatrix counts the loans by their classification on from and
// on to (from before to).
func (s *Service) MigrationMatrix(ctx context.Context, from, to calendar.Date) ([]MigrationCell, error) {
	if from.IsZero() || !from.Valid() {
		return nil, invalid("from", "is required")
	}
	if to.IsZero() || !to.Valid() || !to.After(from) {
		return nil, invalid("to", "must be a date after from")
	}
	return s.store.Migration(ctx, from, to)
}

// ConcentrationLine is one customer's or product's share of its
// currency's book, against the limit.
type ConcentrationLine struct {
	Currency    money.Currency  `json:"currency"`
	CustomerID  ID              `json:"customer_id,omitzero"`
	ProductID   ID              `json:"product_id,omitzero"`
	Loans       int             `json:"loans"`
	Outstanding money.Money     `json:"outstanding"`
	Share       decimal.Decimal `json:"share"` // of the currency's book, to 6 places
	Limit       decimal.Decimal `json:"limit"`
	Breach      bool            `json:"breach"` // share above the limit
}

// MaxConcentrationTop bounds how many of the largest a concentration
// query returns.
const MaxConcentrationTop = MaxPageLimit

// Concentration lists the top largest exposures by customer or by
// product (by must be ByCustomer or ByProduct), each with its share of
// its currency's book and whether it breaches the configured limit.
func (s *Service) Concentration(ctx context.Context, by Dimension, top int) ([]ConcentrationLine, error) {
	var limit decimal.Decimal
	switch by {
	case ByCustomer:
		limit = s.risk.CustomerLimit
	case ByProduct:
		limit = s.risk.ProductLimit
	default:
		return nil, invalid("by", "must be customer or product")
	}
	if top < 1 || top > MaxConcentrationTop {
		return nil, invalid("top", "must be 1-%d", MaxConcentrationTop)
	}
	books, err := s.store.Exposure(ctx, ExposureQuery{})
	if err != nil {
		return nil, err
	}
	book := map[money.Currency]decimal.Decimal{}
	for _, b := range books {
		book[b.Currency] = b.Outstanding
	}
	rows, err := s.store.Exposure(ctx, ExposureQuery{By: []Dimension{by}, Top: top})
	if err != nil {
		return nil, err
	}
	out := make([]ConcentrationLine, 0, len(rows))
	for _, r := range rows {
		share := decimal.Zero
		if t := book[r.Currency]; t.IsPositive() {
			share = r.Outstanding.DivRound(t, 6)
		}
		out = append(out, ConcentrationLine{Currency: r.Currency, CustomerID: r.CustomerID, ProductID: r.ProductID, Loans: r.Loans,
			Outstanding: m(r.Currency, r.Outstanding), Share: share, Limit: limit, Breach: share.GreaterThan(limit)})
	}
	return out, nil
}
