package wealth

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// ProductType is how a product is bought and sold.
type ProductType string

// The product types.
const (
	// CashManagement: a money-market-like product at a fixed NAV of 1,
	// with daily income published per 10,000 units and fast (T+0)
	// redemption up to a daily limit.
	CashManagement ProductType = "cash_management"
	// OpenEnded: a net-value product subscribed and redeemed on every
	// trading day at that day's NAV.
	OpenEnded ProductType = "open_ended"
	// ClosedEnded: a fixed-term product subscribed in a window, established
	// when the minimum raise is met and paid out at maturity.
	ClosedEnded ProductType = "closed_ended"
)

// Valid reports whether t is one of the product types.
func (t ProductType) Valid() bool {
	return t == CashManagement || t == OpenEnded || t == ClosedEnded
}

// SalesStatus is whether a product takes orders.
type SalesStatus string

// The sales statuses.
const (
	PreSale SalesStatus = "pre_sale" // listed; a closed-ended product takes subscriptions inside its window, others none yet
	Open    SalesStatus = "open"     // taking subscriptions and redemptions
	Paused  SalesStatus = "paused"   // no new orders for now
	Closed  SalesStatus = "closed"   // no new orders, for good
)

// Valid reports whether s is one of the statuses.
func (s SalesStatus) Valid() bool { return s == PreSale || s == Open || s == Paused || s == Closed }

// IncomeMode is how a cash-management product hands out its daily income.
type IncomeMode string

// The income modes.
const (
	IncomeReinvest IncomeMode = "reinvest" // credited as units every day (carried over)
	IncomeMonthly  IncomeMode = "monthly"  // accrued daily, paid to the demand account monthly
)

// Phase is where a closed-ended product stands.
type Phase string

// The phases of a closed-ended product (open-ended and cash-management
// products stay PhaseOngoing).
const (
	PhaseOngoing     Phase = "ongoing"     // open-ended or cash management
	PhaseRaising     Phase = "raising"     // closed-ended, before establishment
	PhaseEstablished Phase = "established" // closed-ended, minimum raise met
	PhaseFailed      Phase = "failed"      // closed-ended, minimum raise not met; holds released
	PhaseMatured     Phase = "matured"     // closed-ended, paid out
)

// FeeTier is a redemption fee rate for units held at least MinDays
// calendar days (the highest tier whose MinDays the lot reaches applies).
type FeeTier struct {
	MinDays int             `json:"min_days"`
	Rate    decimal.Decimal `json:"rate"`
}

// Document is a product document the customer reads before buying,
// referenced by the SHA-256 of its content.
type Document struct {
	Kind   string `json:"kind"` // prospectus, risk_disclosure, ...
	Title  string `json:"title"`
	SHA256 string `json:"sha256"`
}

// Product is a wealth-management product on the bank's shelf.
type Product struct {
	ID       ID             `json:"id"`
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Issuer   string         `json:"issuer"`
	Currency money.Currency `json:"currency"`
	Type     ProductType    `json:"type"`
	// Risk is the product's risk level, 1-5 (R1 lowest).
	Risk             int  `json:"risk"`
	ProfessionalOnly bool `json:"professional_only"`

	MinFirst      money.Money `json:"min_first"`      // smallest first subscription
	MinAdditional money.Money `json:"min_additional"` // smallest later subscription
	Step          money.Money `json:"step"`           // amounts above the minimum go in steps of this
	// UnitPlaces is the number of decimal places of units (default 2).
	UnitPlaces int32 `json:"unit_places"`
	// MinHoldingUnits: a partial redemption may not leave fewer units.
	MinHoldingUnits decimal.Decimal `json:"min_holding_units"`

	SubscriptionFee decimal.Decimal `json:"subscription_fee"` // rate, 0.015 is 1.5%
	RedemptionFees  []FeeTier       `json:"redemption_fees"`  // by holding period, MinDays ascending
	// ManagementFee and CustodyFee are annual rates the issuer accrues
	// daily into the published NAV (DailyFeeAccrual); the bank takes no
	// entry for them.
	ManagementFee decimal.Decimal `json:"management_fee"`
	CustodyFee    decimal.Decimal `json:"custody_fee"`

	// SettlementDays is n of T+n: redemption proceeds are paid n trading
	// days after the trade date.
	SettlementDays int `json:"settlement_days"`
	// FastLimit is the daily amount per customer a cash-management product
	// redeems T+0; zero for none.
	FastLimit  money.Money `json:"fast_limit"`
	IncomeMode IncomeMode  `json:"income_mode,omitempty"` // cash management only

	// CutOff is the time of day (minutes after midnight, bank time) up to
	// which an order trades that trading day.
	CutOff int `json:"cut_off_minutes"`
	// CoolingOff is how long after placing it a customer may cancel a
	// subscription in full; an order trades at the first cut-off after it.
	CoolingOff time.Duration `json:"cooling_off"`

	// The closed-ended product's dates, benchmark and minimum raise.
	WindowOpen    calendar.Date   `json:"window_open,omitzero"`
	WindowClose   calendar.Date   `json:"window_close,omitzero"`
	Establishment calendar.Date   `json:"establishment,omitzero"`
	Maturity      calendar.Date   `json:"maturity,omitzero"`
	Benchmark     decimal.Decimal `json:"benchmark"` // annual rate, performance benchmark
	MinRaise      money.Money     `json:"min_raise,omitzero"`

	Documents []Document  `json:"documents"`
	Status    SalesStatus `json:"status"`
	Phase     Phase       `json:"phase"`
	// IncomeThrough is the last date whose daily income run finished
	// (cash management).
	IncomeThrough calendar.Date `json:"income_through,omitzero"`
	CreatedAt     time.Time     `json:"created_at"`
	Version       int           `json:"version"`
}

// RiskName is "R1".."R5".
func (p Product) RiskName() string { return fmt.Sprintf("R%d", p.Risk) }

// Validate checks every field; the error names the first field that fails.
func (p Product) Validate() error {
	if p.ID == NilID {
		return invalid("id", "is required")
	}
	if err := checkCode(p.Code); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"issuer", p.Issuer}} {
		if f.v == "" || len(f.v) > 200 {
			return invalid(f.name, "must be 1-200 bytes")
		}
		if err := text.Line(ErrInvalidInput, f.name, f.v); err != nil {
			return err
		}
	}
	if !p.Currency.Valid() {
		return invalid("currency", "unknown currency %q", p.Currency)
	}
	if !p.Type.Valid() {
		return invalid("type", "must be cash_management, open_ended or closed_ended")
	}
	if p.Risk < 1 || p.Risk > 5 {
		return invalid("risk", "must be R1-R5")
	}
	for _, m := range []struct {
		name string
		v    money.Money
	}{{"min_first", p.MinFirst}, {"min_additional", p.MinAdditional}, {"step", p.Step}} {
		if err := checkAmount(m.name, m.v, p.Currency); err != nil {
			return err
		}
	}
	if p.UnitPlaces < 0 || p.UnitPlaces > 6 {
		return invalid("unit_places", "must be 0-6")
	}
	if p.MinHoldingUnits.IsNegative() || p.MinHoldingUnits.Exponent() < -p.UnitPlaces {
		return invalid("min_holding_units", "must be non-negative with at most %d decimal places", p.UnitPlaces)
	}
	for _, r := range []struct {
		name string
		v    decimal.Decimal
	}{{"subscription_fee", p.SubscriptionFee}, {"management_fee", p.ManagementFee}, {"custody_fee", p.CustodyFee}} {
		if err := checkRate(r.name, r.v); err != nil {
			return err
		}
	}
	for i, t := range p.RedemptionFees {
		field := fmt.Sprintf("redemption_fees[%d]", i)
		if t.MinDays < 0 || (i > 0 && t.MinDays <= p.RedemptionFees[i-1].MinDays) {
			return invalid(field+".min_days", "must be non-negative and ascending")
		}
		if err := checkRate(field+".rate", t.Rate); err != nil {
			return err
		}
	}
	if p.SettlementDays < 0 || p.SettlementDays > 30 {
		return invalid("settlement_days", "must be 0-30")
	}
	if p.CutOff < 0 || p.CutOff >= 24*60 {
		return invalid("cut_off_minutes", "must be 0-1439")
	}
	if p.CoolingOff < 0 || p.CoolingOff > 30*24*time.Hour {
		return invalid("cooling_off", "must be 0-30 days")
	}
	switch p.Type {
	case CashManagement:
		if p.IncomeMode != IncomeReinvest && p.IncomeMode != IncomeMonthly {
			return invalid("income_mode", "must be reinvest or monthly")
		}
		if !p.FastLimit.IsZero() {
			if err := checkAmount("fast_limit", p.FastLimit, p.Currency); err != nil {
				return err
			}
		}
		if len(p.RedemptionFees) > 0 {
			return invalid("redemption_fees", "a cash-management product charges none")
		}
	default:
		if p.IncomeMode != "" {
			return invalid("income_mode", "only for cash management")
		}
		if !p.FastLimit.IsZero() {
			return invalid("fast_limit", "only for cash management")
		}
	}
	if p.Type == ClosedEnded {
		if err := p.validateTerm(); err != nil {
			return err
		}
	} else if !p.WindowOpen.IsZero() || !p.Maturity.IsZero() || !p.Establishment.IsZero() || !p.WindowClose.IsZero() {
		return invalid("window_open", "dates are for closed-ended products")
	}
	if err := checkRate("benchmark", p.Benchmark); err != nil {
		return err
	}
	for i, d := range p.Documents {
		field := fmt.Sprintf("documents[%d]", i)
		if d.Kind == "" || len(d.Kind) > 40 || text.Line(ErrInvalidInput, "", d.Kind) != nil {
			return invalid(field+".kind", "must be 1-40 bytes of text")
		}
		if len(d.Title) > 200 {
			return invalid(field+".title", "must be at most 200 bytes")
		}
		if err := text.Line(ErrInvalidInput, field+".title", d.Title); err != nil {
			return err
		}
		if b, err := hex.DecodeString(d.SHA256); err != nil || len(b) != 32 {
			return invalid(field+".sha256", "must be 64 hex digits")
		}
	}
	if !p.Status.Valid() {
		return invalid("status", "must be pre_sale, open, paused or closed")
	}
	return nil
}

func (p Product) validateTerm() error {
	dates := []struct {
		name string
		d    calendar.Date
	}{{"window_open", p.WindowOpen}, {"window_close", p.WindowClose}, {"establishment", p.Establishment}, {"maturity", p.Maturity}}
	for i, d := range dates {
		if !d.d.Valid() {
			return invalid(d.name, "is required for a closed-ended product")
		}
		if i > 0 && !d.d.After(dates[i-1].d) && !(i == 1 && d.d == dates[0].d) {
			return invalid(d.name, "must come after %s", dates[i-1].name)
		}
	}
	if p.MinRaise.Currency != "" || !p.MinRaise.IsZero() {
		if err := checkAmount("min_raise", p.MinRaise, p.Currency); err != nil {
			return err
		}
	}
	return nil
}

func checkCode(code string) error {
	if len(code) < 1 || len(code) > 32 {
		return invalid("code", "must be 1-32 characters")
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return invalid("code", "may hold only A-Z, 0-9, - and _")
		}
	}
	return nil
}

func checkAmount(field string, m money.Money, c money.Currency) error {
	switch {
	case m.Currency != c:
		return invalid(field, "must be in %s", c)
	case !m.Valid():
		return invalid(field, "has too many decimal places for %s", c)
	case !m.IsPositive():
		return invalid(field, "must be positive")
	case m.Amount.GreaterThan(money.MaxAmount(c).Amount):
		return invalid(field, "is beyond the largest amount")
	}
	return nil
}

func checkRate(field string, r decimal.Decimal) error {
	if r.IsNegative() || r.GreaterThanOrEqual(decimal.NewFromInt(1)) || r.Exponent() < -8 {
		return invalid(field, "must be a rate in [0, 1) with at most 8 decimal places")
	}
	return nil
}

// RedemptionRate is the redemption fee rate for units held days calendar
// days.
func (p Product) RedemptionRate(days int) decimal.Decimal {
	rate := decimal.Zero
	for _, t := range p.RedemptionFees {
		if days >= t.MinDays {
			rate = t.Rate
		}
	}
	return rate
}

// ProductSpec is what a desk enters to list a product; the Service fills
// in the id, defaults, phase and status.
type ProductSpec struct {
	Code             string          `json:"code"`
	Name             string          `json:"name"`
	Issuer           string          `json:"issuer"`
	Currency         money.Currency  `json:"currency"`
	Type             ProductType     `json:"type"`
	Risk             int             `json:"risk"`
	ProfessionalOnly bool            `json:"professional_only,omitzero"`
	MinFirst         money.Money     `json:"min_first"`
	MinAdditional    money.Money     `json:"min_additional"`
	Step             money.Money     `json:"step"`
	UnitPlaces       *int32          `json:"unit_places,omitempty"` // default 2
	MinHoldingUnits  decimal.Decimal `json:"min_holding_units,omitzero"`
	SubscriptionFee  decimal.Decimal `json:"subscription_fee,omitzero"`
	RedemptionFees   []FeeTier       `json:"redemption_fees,omitzero"`
	ManagementFee    decimal.Decimal `json:"management_fee,omitzero"`
	CustodyFee       decimal.Decimal `json:"custody_fee,omitzero"`
	SettlementDays   int             `json:"settlement_days,omitzero"`
	FastLimit        money.Money     `json:"fast_limit,omitzero"`
	IncomeMode       IncomeMode      `json:"income_mode,omitempty"`
	CutOff           *int            `json:"cut_off_minutes,omitempty"`   // default 15:00
	CoolingOffHours  *int            `json:"cooling_off_hours,omitempty"` // default 24
	WindowOpen       calendar.Date   `json:"window_open,omitzero"`
	WindowClose      calendar.Date   `json:"window_close,omitzero"`
	Establishment    calendar.Date   `json:"establishment,omitzero"`
	Maturity         calendar.Date   `json:"maturity,omitzero"`
	Benchmark        decimal.Decimal `json:"benchmark,omitzero"`
	MinRaise         money.Money     `json:"min_raise,omitzero"`
	Documents        []Document      `json:"documents,omitzero"`
	Status           SalesStatus     `json:"status,omitempty"` // default open (pre_sale for closed-ended)
}

// Defaults.
const (
	DefaultUnitPlaces      = 2
	DefaultCutOff          = 15 * 60
	DefaultCoolingOffHours = 24
)

func (s ProductSpec) product(id ID, now time.Time) Product {
	p := Product{
		ID: id, Code: s.Code, Name: s.Name, Issuer: s.Issuer, Currency: s.Currency, Type: s.Type, Risk: s.Risk,
		ProfessionalOnly: s.ProfessionalOnly, MinFirst: s.MinFirst, MinAdditional: s.MinAdditional, Step: s.Step,
		UnitPlaces: DefaultUnitPlaces, MinHoldingUnits: s.MinHoldingUnits, SubscriptionFee: s.SubscriptionFee,
		RedemptionFees: slices.Clone(s.RedemptionFees), ManagementFee: s.ManagementFee, CustodyFee: s.CustodyFee,
		SettlementDays: s.SettlementDays, FastLimit: s.FastLimit, IncomeMode: s.IncomeMode, CutOff: DefaultCutOff,
		CoolingOff: DefaultCoolingOffHours * time.Hour, WindowOpen: s.WindowOpen, WindowClose: s.WindowClose,
		Establishment: s.Establishment, Maturity: s.Maturity, Benchmark: s.Benchmark, MinRaise: s.MinRaise,
		Documents: slices.Clone(s.Documents), Status: s.Status, Phase: PhaseOngoing, CreatedAt: now, Version: 1,
	}
	if s.UnitPlaces != nil {
		p.UnitPlaces = *s.UnitPlaces
	}
	if s.CutOff != nil {
		p.CutOff = *s.CutOff
	}
	if s.CoolingOffHours != nil {
		if *s.CoolingOffHours < 0 {
			p.CoolingOff = -1
		} else {
			p.CoolingOff = time.Duration(*s.CoolingOffHours) * time.Hour
		}
	}
	if p.FastLimit.Currency == "" {
		p.FastLimit = money.Zero(s.Currency)
	}
	if p.Type == ClosedEnded {
		p.Phase = PhaseRaising
	}
	if p.Status == "" {
		p.Status = Open
		if p.Type == ClosedEnded {
			p.Status = PreSale
		}
	}
	if p.RedemptionFees == nil {
		p.RedemptionFees = []FeeTier{}
	}
	if p.Documents == nil {
		p.Documents = []Document{}
	}
	return p
}

// DailyFeeAccrual is the issuer's daily accrual of the management and
// custody fees on net assets: assets × (management + custody) / 365,
// rounded half-even to the currency's minor unit. The issuer deducts it
// before it publishes the day's NAV, so the NAV a customer trades at is
// already net of both fees.
func (p Product) DailyFeeAccrual(assets money.Money) money.Money {
	rate := p.ManagementFee.Add(p.CustodyFee).Div(decimal.NewFromInt(365))
	return assets.Mul(rate, money.HalfEven)
}
