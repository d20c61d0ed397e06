package fx

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// Quote is a rate fixed for one conversion of Pays, valid until ExpiresAt.
type Quote struct {
	ID ledger.ID
	// OwnerID, when set, is the only owner whose account may use the quote.
	OwnerID string
	Pair    Pair
	Side    Side
	Pays    money.Money
	// Receives is what Pays converts to at the quoted rate.
	Receives    money.Money
	Rate        decimal.Decimal // the customer's rate
	Mid         decimal.Decimal
	RateID      ledger.ID
	Source      string
	PublishedAt time.Time
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Status is a conversion's state.
type Status string

// Statuses of a conversion record.
const (
	// Pending: recorded, quote and quota claimed, the entry not yet known
	// to be posted.
	Pending Status = "pending"
	// Posted: the ledger entry is posted.
	Posted Status = "posted"
)

// Conversion is the FX record of one conversion, kept beside its ledger
// entry.
type Conversion struct {
	ID             ledger.ID
	IdempotencyKey string
	Status         Status
	EntryID        ledger.ID // set once Posted
	FromAccountID  ledger.ID
	ToAccountID    ledger.ID
	OwnerID        string // the owner of FromAccountID, whose quota counts it
	Pair           Pair
	Side           Side
	Pays           money.Money
	Receives       money.Money
	Foreign        money.Money
	HomeAtMid      money.Money
	Income         money.Money
	Rate           decimal.Decimal
	Mid            decimal.Decimal
	RateID         ledger.ID
	Source         string
	PublishedAt    time.Time
	QuoteID        ledger.ID
	// QuotaAmount is the conversion's foreign leg in the quota currency
	// (zero in the home currency when no quota applies); QuotaYear the calendar year it counts in.
	QuotaAmount  money.Money
	QuotaYear    int
	Description  string
	BusinessDate calendar.Date
	CreatedAt    time.Time
}

// QuotaCharge is what BeginConversion checks and adds to the owner's usage
// for the year and side: used + Amount must not exceed Limit. A zero Limit
// charges nothing.
type QuotaCharge struct {
	OwnerID string
	Year    int
	Side    Side
	Amount  decimal.Decimal
	Limit   decimal.Decimal
}

// Totals are one foreign currency's figures from the posted conversions
// and the revaluations: Position the sum of the foreign legs (bought minus
// sold), Carrying the home value they were booked at (home legs at mid,
// plus earlier revaluations' gains), Income the realised spread.
type Totals struct {
	Currency money.Currency
	Position decimal.Decimal
	Carrying decimal.Decimal
	Income   decimal.Decimal
}

// Revaluation is one foreign currency's revaluation on a business date.
type Revaluation struct {
	BusinessDate calendar.Date
	Currency     money.Currency // the foreign currency revalued
	Home         money.Currency
	Position     decimal.Decimal // foreign units, at the moment of revaluation
	ClosingMid   decimal.Decimal
	RateID       ledger.ID
	Carrying     decimal.Decimal // home value before
	Value        decimal.Decimal // Position × ClosingMid, half-even to the home minor unit
	Gain         decimal.Decimal // Value − Carrying; negative is a loss
	EntryID      ledger.ID       // the entry that posts Gain, nil when zero
	CreatedAt    time.Time
}
