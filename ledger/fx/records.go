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
	// Cross is the second leg of a quote between two foreign currencies
	// (nil otherwise); the fields above are then its first leg, the sale
	// of Pays' currency.
	Cross *CrossLeg `json:",omitempty"`
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
	// ExternalRef is the client's reference (ConvertRequest.ExternalRef),
	// kept so that a re-run after a crash posts the entry with it.
	ExternalRef ledger.ExternalRef `json:",omitzero"`
	// Cross is, for a conversion between two foreign currencies, its
	// second leg: the purchase of Receives' currency through the home
	// currency. The fields above are then the first leg, the sale of
	// Pays' currency (Side Sell, Foreign == Pays, Rate its buy rate).
	Cross *CrossLeg `json:",omitempty"`
}

// CrossLeg is the second leg of a cross conversion: the bank sells the
// currency the customer receives, at its sell rate against the home
// currency, as a bank deriving a cross rate through its base currency
// would (see CrossPrice).
type CrossLeg struct {
	// Pair is the received currency against the home currency.
	Pair Pair
	// Foreign is what the customer receives; HomeAtMid its value at Mid,
	// half-even to the home minor unit.
	Foreign   money.Money
	HomeAtMid money.Money
	// Rate is the bank's sell rate of Pair; Mid its mid; RateID, Source
	// and PublishedAt the publication they come from.
	Rate        decimal.Decimal
	Mid         decimal.Decimal
	RateID      ledger.ID
	Source      string
	PublishedAt time.Time
	// CrossRate is the customer's rate: units received per unit paid.
	CrossRate decimal.Decimal
}

// Effect is what a posted conversion does to one foreign currency's
// Totals.
type Effect struct {
	Currency money.Currency
	Position decimal.Decimal // foreign units bought (+) or sold (-) by the bank
	Carrying decimal.Decimal // their home value at mid, signed the same way
	Income   decimal.Decimal // the spread income counted under this currency
}

// Effects returns what c does to the Totals of each foreign currency it
// touches, in currency order: one currency for a conversion against the
// home currency, two for a cross conversion. The spread income of a cross
// conversion counts under the currency paid. Stores keep their running
// totals with it.
func (c Conversion) Effects() []Effect {
	first := Effect{Currency: c.Foreign.Currency, Position: c.Foreign.Amount, Carrying: c.HomeAtMid.Amount, Income: c.Income.Amount}
	if c.Side == Buy {
		first.Position, first.Carrying = first.Position.Neg(), first.Carrying.Neg()
	}
	if c.Cross == nil {
		return []Effect{first}
	}
	second := Effect{Currency: c.Cross.Foreign.Currency, Position: c.Cross.Foreign.Amount.Neg(),
		Carrying: c.Cross.HomeAtMid.Amount.Neg(), Income: decimal.Zero}
	if second.Currency < first.Currency {
		return []Effect{second, first}
	}
	return []Effect{first, second}
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
