package fx

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Pair is a currency pair: Quote units per one Base unit. In this package
// Base is a foreign currency and Quote the bank's home currency.
type Pair struct {
	Base  money.Currency
	Quote money.Currency
}

// String reads "USD/CNY".
func (p Pair) String() string { return string(p.Base) + "/" + string(p.Quote) }

// ParsePair reads "USD/CNY".
func ParsePair(s string) (Pair, error) {
	base, quote, ok := strings.Cut(s, "/")
	p := Pair{Base: money.Currency(base), Quote: money.Currency(quote)}
	if !ok || !p.Base.Valid() || !p.Quote.Valid() || p.Base == p.Quote {
		return Pair{}, invalid("pair", fmt.Sprintf("%q is not two different ISO 4217 currencies as BASE/QUOTE", s))
	}
	return p, nil
}

// Side is the customer's side of a conversion, seen from the foreign
// currency.
type Side string

// Sides.
const (
	// Buy: the customer buys foreign currency with home currency
	// (购汇); the bank sells at its sell rate.
	Buy Side = "buy"
	// Sell: the customer sells foreign currency for home currency
	// (结汇); the bank buys at its buy rate.
	Sell Side = "sell"
)

// Valid reports whether s is Buy or Sell.
func (s Side) Valid() bool { return s == Buy || s == Sell }

// MaxSource bounds a rate's source text.
const MaxSource = 100

// maxRateScale bounds a rate's decimal places.
const maxRateScale = 8

// Rate is one publication of a pair's rates by the treasury.
type Rate struct {
	ID   ledger.ID
	Pair Pair
	// Mid is the middle rate; Buy the bank's buying rate (it pays Buy home
	// units per foreign unit); Sell its selling rate. 0 < Buy <= Mid <= Sell.
	Mid, Buy, Sell decimal.Decimal
	// Source names where the rates come from ("treasury", "CFETS 09:15").
	Source       string
	BusinessDate calendar.Date
	// PublishedAt is the moment from which the rate is in force.
	PublishedAt time.Time
}

// Validate checks the rate's fields.
func (r Rate) Validate() error {
	switch {
	case r.ID == ledger.NilID:
		return invalid("id", "is required")
	case !r.Pair.Base.Valid() || !r.Pair.Quote.Valid() || r.Pair.Base == r.Pair.Quote:
		return invalid("pair", "must be two different ISO 4217 currencies")
	case r.BusinessDate.IsZero() || !r.BusinessDate.Valid():
		return invalid("business_date", "is required")
	case r.PublishedAt.IsZero():
		return invalid("published_at", "is required")
	case r.Source == "" || len(r.Source) > MaxSource:
		return invalid("source", fmt.Sprintf("must be 1 to %d bytes", MaxSource))
	}
	if err := text.Line(ledger.ErrInvalidInput, "source", r.Source); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"mid", r.Mid}, {"buy", r.Buy}, {"sell", r.Sell}} {
		switch {
		case !f.v.IsPositive():
			return invalid(f.name, "must be positive")
		case f.v.Exponent() < -maxRateScale && !f.v.Equal(f.v.Truncate(maxRateScale)):
			return invalid(f.name, fmt.Sprintf("has more than %d decimal places", maxRateScale))
		case f.v.GreaterThan(decimal.New(1, 9)):
			return invalid(f.name, "is implausibly large")
		}
	}
	if r.Buy.GreaterThan(r.Mid) || r.Mid.GreaterThan(r.Sell) {
		return invalid("mid", "must satisfy buy <= mid <= sell")
	}
	return nil
}

// Spread returns the customer rate's distance from mid on side s: mid -
// buy for a sale, sell - mid for a purchase.
func (r Rate) Spread(s Side) decimal.Decimal {
	if s == Buy {
		return r.Sell.Sub(r.Mid)
	}
	return r.Mid.Sub(r.Buy)
}

// customerRate is the rate the customer gets on side s.
func (r Rate) customerRate(s Side) decimal.Decimal {
	if s == Buy {
		return r.Sell
	}
	return r.Buy
}

// Pricing is what a conversion of an amount at a rate comes to.
type Pricing struct {
	Side Side
	// Pays is what the customer gives: home currency for a purchase, the
	// foreign currency for a sale. Receives is what the customer gets.
	Pays, Receives money.Money
	// Foreign is the foreign leg (Receives on a purchase, Pays on a sale);
	// HomeAtMid its value at mid in the home currency, rounded half-even.
	Foreign, HomeAtMid money.Money
	// Income is the spread the bank earns, in the home currency: the home
	// leg at the customer's rate against HomeAtMid. Never negative.
	Income money.Money
	// Rate is the customer's rate (Buy or Sell).
	Rate decimal.Decimal
}

// Price converts pays at r: a purchase of r.Pair.Base when pays is in
// r.Pair.Quote, a sale when pays is in r.Pair.Base. The amount received is
// rounded down to its minor unit (bank-favourable); the home leg at mid is
// rounded half-even and the spread is what remains, so each side of the
// entry balances to the minor unit. An amount too small to give anything
// is refused on field amount.
//
// Worked: a purchase of USD with CNY 1000.00 at sell 7.20, mid 7.15 gives
// 1000.00 / 7.20 = 138.888… → USD 138.88 (down); at mid 138.88 × 7.15 =
// 992.992 → CNY 992.99 (half-even); income 1000.00 − 992.99 = CNY 7.01.
func Price(r Rate, pays money.Money) (Pricing, error) {
	home, foreign := r.Pair.Quote, r.Pair.Base
	p := Pricing{Pays: pays}
	switch pays.Currency {
	case home:
		p.Side = Buy
		q, _ := pays.Amount.QuoRem(r.Sell, foreign.MinorUnits())
		p.Receives = money.Money{Amount: q, Currency: foreign}
		p.Foreign = p.Receives
		p.HomeAtMid = money.Money{Amount: q.Mul(r.Mid).RoundBank(home.MinorUnits()), Currency: home}
		p.Income = money.Money{Amount: pays.Amount.Sub(p.HomeAtMid.Amount), Currency: home}
	case foreign:
		p.Side = Sell
		p.Receives = money.Money{Amount: pays.Amount.Mul(r.Buy).RoundDown(home.MinorUnits()), Currency: home}
		p.Foreign = pays
		p.HomeAtMid = money.Money{Amount: pays.Amount.Mul(r.Mid).RoundBank(home.MinorUnits()), Currency: home}
		p.Income = money.Money{Amount: p.HomeAtMid.Amount.Sub(p.Receives.Amount), Currency: home}
	default:
		return Pricing{}, fault.Field(ErrNoRate, "amount.currency", fmt.Sprintf("%s is not in the pair %s", pays.Currency, r.Pair))
	}
	p.Rate = r.customerRate(p.Side)
	if !p.Receives.IsPositive() {
		return Pricing{}, invalid("amount", fmt.Sprintf("is too small to convert at %s", p.Rate))
	}
	if exceeds(p.Receives) {
		// A cheap currency can turn an accepted amount into one no account
		// may hold (CNY 10^12 is some 3 × 10^15 VND).
		return Pricing{}, invalid("amount", fmt.Sprintf("converts to %s, more than the largest amount accepted", p.Receives))
	}
	if p.Income.IsNegative() { // impossible when buy <= mid <= sell; kept as a guard
		return Pricing{}, invalid("rate", "gives the customer more than mid")
	}
	return p, nil
}

// exceeds reports whether m is above money.MaxAmount of its currency.
func exceeds(m money.Money) bool {
	return m.Amount.GreaterThan(money.MaxAmount(m.Currency).Amount)
}

// CrossScale is the number of decimal places a cross rate is kept to.
const CrossScale = 8

// CrossPrice converts pays, in sold.Pair.Base, into bought.Pair.Base,
// two foreign currencies quoted against the same home currency, through
// the home currency: the bank buys the paid currency at sold's buy rate
// and sells the received one at bought's sell rate, so each side's spread
// is applied once, as on the two conversions a customer could make one
// after the other, but without rounding in between:
//
//	cross rate = sold.Buy / bought.Sell, rounded down to CrossScale places
//	received   = pays × cross rate, rounded down to the minor unit
//
// Both roundings are down, in the bank's favour, like Price's. The first
// leg (the sale) values pays at sold's mid, the second (the purchase) the
// amount received at bought's mid, each half-even to the home minor unit;
// the spread income is the first leg's home value less the second's,
// never negative. The returned Pricing is the first leg with Receives the
// amount received; the CrossLeg the second.
//
// Worked (the contract suite's figures): USD 100.00 for EUR at USD/CNY
// buy 7.10, mid 7.15 and EUR/CNY mid 7.80, sell 7.85: cross 7.10 / 7.85 =
// 0.904458598… → 0.90445859; received 90.445859 → EUR 90.44; first leg
// 100.00 × 7.15 = CNY 715.00, second 90.44 × 7.80 = 705.432 → 705.43;
// income 715.00 − 705.43 = CNY 9.57.
func CrossPrice(sold, bought Rate, pays money.Money) (Pricing, CrossLeg, error) {
	home := sold.Pair.Quote
	if bought.Pair.Quote != home || sold.Pair.Base == bought.Pair.Base || sold.Pair.Base == home || bought.Pair.Base == home {
		return Pricing{}, CrossLeg{}, invalid("pair", fmt.Sprintf("%s and %s are not two foreign currencies against one home currency", sold.Pair, bought.Pair))
	}
	if pays.Currency != sold.Pair.Base {
		return Pricing{}, CrossLeg{}, fault.Field(ErrNoRate, "amount.currency", fmt.Sprintf("%s is not in the pair %s", pays.Currency, sold.Pair))
	}
	foreign := bought.Pair.Base
	cross, _ := sold.Buy.QuoRem(bought.Sell, CrossScale)
	received := pays.Amount.Mul(cross).RoundDown(foreign.MinorUnits())
	p := Pricing{Side: Sell, Pays: pays, Foreign: pays, Rate: sold.Buy,
		Receives:  money.Money{Amount: received, Currency: foreign},
		HomeAtMid: money.Money{Amount: pays.Amount.Mul(sold.Mid).RoundBank(home.MinorUnits()), Currency: home}}
	leg := CrossLeg{Pair: bought.Pair, Foreign: p.Receives, Rate: bought.Sell, Mid: bought.Mid, RateID: bought.ID,
		Source: bought.Source, PublishedAt: bought.PublishedAt, CrossRate: cross,
		HomeAtMid: money.Money{Amount: received.Mul(bought.Mid).RoundBank(home.MinorUnits()), Currency: home}}
	p.Income = money.Money{Amount: p.HomeAtMid.Amount.Sub(leg.HomeAtMid.Amount), Currency: home}
	if !p.Receives.IsPositive() {
		return Pricing{}, CrossLeg{}, invalid("amount", fmt.Sprintf("is too small to convert at %s", cross))
	}
	if exceeds(p.Receives) {
		return Pricing{}, CrossLeg{}, invalid("amount", fmt.Sprintf("converts to %s, more than the largest amount accepted", p.Receives))
	}
	if p.Income.IsNegative() { // impossible when buy <= mid <= sell; kept as a guard
		return Pricing{}, CrossLeg{}, invalid("rate", "gives the customer more than mid")
	}
	return p, leg, nil
}
