package money

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/shopspring/decimal"
)

// MaxParts bounds the number of parts Allocate and Split produce, so that a
// bad count from input cannot exhaust memory.
const MaxParts = 1_000_000

// maxRatioSpread bounds how many decimal orders of magnitude the ratios of
// one Allocate call may span. Allocate brings the ratios to integers on a
// common scale; the bound keeps that exact arithmetic small.
const maxRatioSpread = 1000

// Allocate splits m into len(ratios) parts proportional to the ratios, each a
// whole number of the currency's minor unit, that add up to exactly m.
//
// Rounding every share on its own would create or lose a cent (100.00 CNY in
// thirds is 33.33 three times, one cent short); Allocate instead gives each
// part its share rounded toward zero and hands the minor units left over, one
// each, to the parts with the largest remainders, ties going to the earlier
// index. The result is deterministic and every part is within one minor unit
// of its exact share. A negative m is split like its absolute value, with
// every part negated.
//
// The ratios must be non-negative with a positive sum (ErrInvalidRatios); a
// zero ratio gets a zero part. m must be Valid.
func (m Money) Allocate(ratios ...decimal.Decimal) ([]Money, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	weights, err := ratioWeights(ratios)
	if err != nil {
		return nil, err
	}
	units := m.Amount.Shift(m.Currency.MinorUnits()).BigInt() // exact: m fits the minor unit
	negative := units.Sign() < 0
	units.Abs(units)

	total := new(big.Int)
	for _, w := range weights {
		total.Add(total, w)
	}
	shares := make([]*big.Int, len(weights))
	remainders := make([]*big.Int, len(weights))
	leftover := new(big.Int).Set(units)
	for i, w := range weights {
		product := new(big.Int).Mul(units, w)
		shares[i], remainders[i] = new(big.Int).QuoRem(product, total, new(big.Int))
		leftover.Sub(leftover, shares[i])
	}

	// leftover < len(weights): each share lost less than one unit.
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return remainders[order[a]].Cmp(remainders[order[b]]) > 0
	})
	for k := int64(0); k < leftover.Int64(); k++ {
		shares[order[k]].Add(shares[order[k]], big.NewInt(1))
	}

	parts := make([]Money, len(shares))
	for i, s := range shares {
		if negative {
			s.Neg(s)
		}
		parts[i] = Money{Amount: decimal.NewFromBigInt(s, -m.Currency.MinorUnits()), Currency: m.Currency}
	}
	return parts, nil
}

// Split divides m into n parts as equal as the minor unit allows, adding up
// to exactly m; the earlier parts take the leftover units, so 100.00 CNY in
// three is 33.34, 33.33, 33.33. n must be between 1 and MaxParts.
func (m Money) Split(n int) ([]Money, error) {
	if n < 1 || n > MaxParts {
		return nil, fmt.Errorf("%w: n is %d, want 1..%d", ErrInvalidRatios, n, MaxParts)
	}
	ratios := make([]decimal.Decimal, n)
	for i := range ratios {
		ratios[i] = decimal.NewFromInt(1)
	}
	return m.Allocate(ratios...)
}

// ratioWeights validates the ratios and returns them as integers on one
// common decimal scale, so that shares can be computed exactly.
func ratioWeights(ratios []decimal.Decimal) ([]*big.Int, error) {
	if len(ratios) == 0 {
		return nil, fmt.Errorf("%w: no ratios", ErrInvalidRatios)
	}
	if len(ratios) > MaxParts {
		return nil, fmt.Errorf("%w: %d ratios, at most %d", ErrInvalidRatios, len(ratios), MaxParts)
	}
	minExp, maxExp := int32(0), int32(0)
	positive := false
	for i, r := range ratios {
		switch r.Sign() {
		case -1:
			return nil, fmt.Errorf("%w: ratios[%d] is negative (%s)", ErrInvalidRatios, i, r)
		case 0:
			continue
		}
		e := r.Exponent()
		if !positive || e < minExp {
			minExp = e
		}
		if !positive || e > maxExp {
			maxExp = e
		}
		positive = true
	}
	if !positive {
		return nil, fmt.Errorf("%w: ratios sum to zero", ErrInvalidRatios)
	}
	if int64(maxExp)-int64(minExp) > maxRatioSpread {
		return nil, fmt.Errorf("%w: ratios span more than %d orders of magnitude", ErrInvalidRatios, maxRatioSpread)
	}
	weights := make([]*big.Int, len(ratios))
	ten := big.NewInt(10)
	for i, r := range ratios {
		w := new(big.Int)
		if r.Sign() > 0 {
			scale := new(big.Int).Exp(ten, big.NewInt(int64(r.Exponent()-minExp)), nil)
			w.Mul(r.Coefficient(), scale)
		}
		weights[i] = w
	}
	return weights, nil
}
