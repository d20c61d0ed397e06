package clearing

import (
	"cmp"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/shopspring/decimal"
)

// Bounds of the search for sums (MatchBySum). For each unmatched item the
// matcher looks at most at MaxSumCandidates items of the other side on one
// value date, and at combinations of 2 to MaxSumItems of them: at most
// C(12,2)+...+C(12,5) = 1573 sums per item and date, so a statement of
// thousands of lines still reconciles in moments. Larger groups are left
// as breaks for a person to match.
const (
	MaxSumCandidates = 12
	MaxSumItems      = 5
)

// reconItem is a statement line or a ledger posting, as the matcher sees
// it.
type reconItem struct {
	index     int // line index, or position in the ledger list
	amount    decimal.Decimal
	valueDate calendar.Date
	refs      []string
	matched   bool
}

// matchItems pairs statement lines with ledger postings, by reference,
// then by amount within window days, then by sums on one value date. It
// marks the items it matches and returns the matches with the indexes of
// each side.
func matchItems(lines, booked []*reconItem, window int) []rawMatch {
	var out []rawMatch
	byAmount := make(map[string][]*reconItem, len(booked)) // in ledger order
	for _, p := range booked {
		k := p.amount.String()
		byAmount[k] = append(byAmount[k], p)
	}
	// 1. One to one by reference and amount.
	for _, l := range lines {
		for _, p := range byAmount[l.amount.String()] {
			if !p.matched && sharesRef(l.refs, p.refs) {
				out = append(out, pair(MatchByReference, l, p))
				break
			}
		}
	}
	// 2. One to one by amount, the closest value date within the window.
	for _, l := range lines {
		if l.matched {
			continue
		}
		var best *reconItem
		for _, p := range byAmount[l.amount.String()] {
			if p.matched || daysApart(l, p) > window {
				continue
			}
			if best == nil || daysApart(l, p) < daysApart(l, best) {
				best = p
			}
		}
		if best != nil {
			out = append(out, pair(MatchByAmount, l, best))
		}
	}
	// 3. One line to several postings, then several lines to one posting.
	out = append(out, matchSums(lines, booked, window, false)...)
	out = append(out, matchSums(booked, lines, window, true)...)
	return out
}

// rawMatch is a match by item indexes.
type rawMatch struct {
	kind   MatchKind
	lines  []int
	ledger []int
}

func pair(kind MatchKind, l, p *reconItem) rawMatch {
	l.matched, p.matched = true, true
	return rawMatch{kind: kind, lines: []int{l.index}, ledger: []int{p.index}}
}

// matchSums finds, for each unmatched item of one side, a group of
// unmatched items of the other side on one value date (the closest dates
// first, within the window) whose amounts add up to its amount. swapped
// says one is the ledger side.
func matchSums(one, many []*reconItem, window int, swapped bool) []rawMatch {
	var out []rawMatch
	for _, x := range one {
		if x.matched {
			continue
		}
		byDate := map[calendar.Date][]*reconItem{}
		var dates []calendar.Date
		for _, y := range many {
			if y.matched || y.amount.Sign() != x.amount.Sign() || daysApart(x, y) > window {
				continue
			}
			if _, ok := byDate[y.valueDate]; !ok {
				dates = append(dates, y.valueDate)
			}
			if len(byDate[y.valueDate]) < MaxSumCandidates {
				byDate[y.valueDate] = append(byDate[y.valueDate], y)
			}
		}
		slices.SortStableFunc(dates, func(a, b calendar.Date) int {
			return cmp.Or(cmp.Compare(absDays(x.valueDate, a), absDays(x.valueDate, b)), a.Compare(b))
		})
		for _, d := range dates {
			group := findSum(byDate[d], x.amount)
			if group == nil {
				continue
			}
			x.matched = true
			idx := make([]int, len(group))
			for i, y := range group {
				y.matched = true
				idx[i] = y.index
			}
			m := rawMatch{kind: MatchBySum, lines: []int{x.index}, ledger: idx}
			if swapped {
				m.lines, m.ledger = idx, []int{x.index}
			}
			out = append(out, m)
			break
		}
	}
	return out
}

// findSum returns the first combination of 2 to MaxSumItems of items, in
// order of size then position, whose amounts add up to target.
func findSum(items []*reconItem, target decimal.Decimal) []*reconItem {
	chosen := make([]*reconItem, 0, MaxSumItems)
	var search func(start int, sum decimal.Decimal, size int) bool
	search = func(start int, sum decimal.Decimal, size int) bool {
		if len(chosen) == size {
			return sum.Equal(target)
		}
		for i := start; i < len(items); i++ {
			chosen = append(chosen, items[i])
			if search(i+1, sum.Add(items[i].amount), size) {
				return true
			}
			chosen = chosen[:len(chosen)-1]
		}
		return false
	}
	for size := 2; size <= MaxSumItems && size <= len(items); size++ {
		if search(0, decimal.Zero, size) {
			return slices.Clone(chosen)
		}
	}
	return nil
}

func sharesRef(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func daysApart(a, b *reconItem) int { return absDays(a.valueDate, b.valueDate) }

func absDays(a, b calendar.Date) int {
	d := a.DaysSince(b)
	if d < 0 {
		return -d
	}
	return d
}
