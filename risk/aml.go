package risk

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// AMLThresholds are the large-value transaction report's thresholds, in
// Currency (the defaults are the People's Bank of China's, in CNY): cash
// paid in or out by a customer in a day, single or cumulative; an
// individual's transfers in a day, domestic or cross-border; a
// non-individual's transfers in a day. A figure at or above its threshold
// is reported. Transactions in other currencies count against Foreign,
// converted, when it is set and the Service has an FXRates port; else
// they are not counted.
type AMLThresholds struct {
	Currency              money.Currency  `json:"currency"`
	Cash                  decimal.Decimal `json:"cash"`
	IndividualDomestic    decimal.Decimal `json:"individual_domestic"`
	IndividualCrossBorder decimal.Decimal `json:"individual_cross_border"`
	NonIndividual         decimal.Decimal `json:"non_individual"`
	// Foreign are the thresholds of the transactions in any other
	// currency, summed per customer, category and direction in
	// Foreign.Currency (the PBoC's: USD equivalents) on lines of their
	// own.
	Foreign *ForeignThresholds `json:"foreign,omitempty"`
}

// ForeignThresholds are the large-value thresholds of foreign-currency
// transactions, in the equivalent of Currency.
type ForeignThresholds struct {
	Currency              money.Currency  `json:"currency"`
	Cash                  decimal.Decimal `json:"cash"`
	IndividualDomestic    decimal.Decimal `json:"individual_domestic"`
	IndividualCrossBorder decimal.Decimal `json:"individual_cross_border"`
	NonIndividual         decimal.Decimal `json:"non_individual"`
}

// FXRates is the port through which risk converts foreign-currency
// amounts for the large-value report. The reference server adapts the
// ledger's FX rates to it.
type FXRates interface {
	// Rate returns how many units of to one unit of from is worth at a
	// time (the middle rate in force then).
	Rate(ctx context.Context, from, to money.Currency, at time.Time) (decimal.Decimal, error)
}

// PBoCThresholds are the People's Bank of China's large-value thresholds.
var PBoCThresholds = AMLThresholds{
	Currency:              money.CNY,
	Cash:                  decimal.NewFromInt(50_000),
	IndividualDomestic:    decimal.NewFromInt(500_000),
	IndividualCrossBorder: decimal.NewFromInt(200_000),
	NonIndividual:         decimal.NewFromInt(2_000_000),
	Foreign: &ForeignThresholds{
		Currency:              money.USD,
		Cash:                  decimal.NewFromInt(10_000),
		IndividualDomestic:    decimal.NewFromInt(100_000),
		IndividualCrossBorder: decimal.NewFromInt(10_000),
		NonIndividual:         decimal.NewFromInt(200_000),
	},
}

// Category is what a large-value line counts.
type Category string

// The categories of a large-value report line.
const (
	CategoryCash                Category = "cash"
	CategoryTransferDomestic    Category = "transfer_domestic"
	CategoryTransferCrossBorder Category = "transfer_cross_border"
)

// FlowDirection is which way money went for the reported customer.
type FlowDirection string

// The directions of a line: money paid out of (debit) or into (credit) the
// customer's accounts.
const (
	Debit  FlowDirection = "debit"
	Credit FlowDirection = "credit"
)

// LargeValueLine is one customer's day in one category and direction that
// reached its threshold.
type LargeValueLine struct {
	CustomerID   string        `json:"customer_id"`
	CustomerKind CustomerKind  `json:"customer_kind"`
	Category     Category      `json:"category"`
	Direction    FlowDirection `json:"direction"`
	Total        money.Money   `json:"total"`
	Threshold    money.Money   `json:"threshold"`
	Count        int           `json:"count"`
	Transactions []ID          `json:"transactions"`
}

// LargeValueReport is the large-value transaction report of one business
// day.
type LargeValueReport struct {
	ID           ID               `json:"id"`
	BusinessDate calendar.Date    `json:"business_date"`
	Thresholds   AMLThresholds    `json:"thresholds"`
	Lines        []LargeValueLine `json:"lines"`
	GeneratedAt  time.Time        `json:"generated_at"`
	// FiledAt is when the filer took it; zero until filed.
	FiledAt time.Time `json:"filed_at,omitzero"`
}

// SuspiciousReport is a suspicious-transaction report drafted from a
// confirmed case: the customer, the alerts and rules, the transactions
// and the investigator's narrative.
type SuspiciousReport struct {
	ID           ID            `json:"id"`
	CaseID       ID            `json:"case_id"`
	CustomerID   string        `json:"customer_id"`
	Rules        []string      `json:"rules"`
	Alerts       []ID          `json:"alerts"`
	Transactions []Transaction `json:"transactions"`
	Total        []money.Money `json:"totals"`
	Narrative    string        `json:"narrative"`
	DraftedBy    string        `json:"drafted_by"`
	DraftedAt    time.Time     `json:"drafted_at"`
	FiledAt      time.Time     `json:"filed_at,omitzero"`
}

// Filing is a report as the filer receives it: its kind, a name unique to
// it, and its document (JSON, docs/risk.md).
type Filing struct {
	Kind string // "large_value" or "suspicious"
	Name string // e.g. "large-value-2026-03-02-<id>.json"
	Body []byte
}

// Filer takes reports to the authority's filing system, which is outside
// the bank. FileFiler writes them to a directory.
type Filer interface {
	File(ctx context.Context, f Filing) error
}
