package wealth

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
)

// NAVPlaces is the number of decimal places of a published NAV.
const NAVPlaces = 4

// NAV is a product's net asset value per unit on a business date, as its
// issuer published it. A cash-management product's NAV is 1 and it
// publishes IncomePer10K, the day's income per 10,000 units; the Service
// works out its 7-day annualised yield.
type NAV struct {
	ProductID    ID              `json:"product_id"`
	Date         calendar.Date   `json:"date"`
	Value        decimal.Decimal `json:"nav"`
	IncomePer10K decimal.Decimal `json:"income_per_10k"`
	// Yield7D is the 7-day annualised yield of a cash-management product
	// (0.01734 is 1.734%), from the last seven published incomes; zero
	// until seven are published.
	Yield7D decimal.Decimal `json:"yield_7d"`
	// AccumulatedNAV is the issuer's accumulated NAV (the NAV plus every
	// distribution paid since launch), as published; zero when not given.
	AccumulatedNAV decimal.Decimal `json:"accumulated_nav,omitzero"`
	// IssuerYield7D is the 7-day yield as the issuer's NAV file states it,
	// kept beside the Service's own Yield7D; zero when not given.
	IssuerYield7D decimal.Decimal `json:"issuer_yield_7d,omitzero"`
	PublishedAt   time.Time       `json:"published_at"`
	PublishedBy   string          `json:"published_by"`
}

// NAVRequest publishes a NAV.
type NAVRequest struct {
	ProductID    ID
	Date         calendar.Date
	Value        decimal.Decimal // open- and closed-ended; ignored (1) for cash management
	IncomePer10K decimal.Decimal // cash management only
	// AccumulatedNAV is the issuer's accumulated NAV, optional.
	AccumulatedNAV decimal.Decimal
	// IssuerYield7D is the issuer's stated 7-day yield (cash management),
	// optional; recorded, not checked against the Service's own.
	IssuerYield7D decimal.Decimal
	PublishedBy   string
}

// Yield7D is the 7-day annualised yield of a money-market product with
// daily carry-over of income, from the income per 10,000 units of the
// last seven calendar days (incomes[i] for day i):
//
//	yield = ( ∏ (1 + R_i / 10000) )^(365/7) − 1
//
// the compounded form the CSRC prescribes for money-market funds whose
// income is carried over as units every day. The result is rounded
// half-even to 5 decimal places (3 in percent). It needs exactly seven
// incomes.
func Yield7D(incomes []decimal.Decimal) (decimal.Decimal, error) {
	if len(incomes) != 7 {
		return decimal.Zero, invalid("incomes", "need the incomes of 7 days, have %d", len(incomes))
	}
	tenK := decimal.NewFromInt(10000)
	growth := decimal.NewFromInt(1)
	for _, r := range incomes {
		growth = growth.Mul(decimal.NewFromInt(1).Add(r.Div(tenK)))
	}
	// x^(365/7) = (x^365)^(1/7).
	p, err := growth.PowInt32(365)
	if err != nil {
		return decimal.Zero, err
	}
	root, err := p.RootRound(7, 12)
	if err != nil {
		return decimal.Zero, err
	}
	return root.Sub(decimal.NewFromInt(1)).RoundBank(5), nil
}
