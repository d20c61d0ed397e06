package clearing

import (
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func items(date calendar.Date, amounts ...string) []*reconItem {
	out := make([]*reconItem, len(amounts))
	for i, a := range amounts {
		out[i] = &reconItem{index: i, amount: decimal.RequireFromString(a), valueDate: date}
	}
	return out
}

func TestMatchSumsIsBounded(t *testing.T) {
	t.Parallel()
	day := calendar.MustParseDate("2026-03-02")
	cases := []struct {
		name   string
		line   string
		ledger []string
		want   []int // ledger indexes matched; nil: no match
	}{
		{"two of three", "25.00", []string{"10.00", "7.00", "15.00"}, []int{0, 2}},
		{"the smallest group wins", "10.00", []string{"4.00", "6.00", "1.00", "2.00", "3.00"}, []int{0, 1}},
		{"five items is the largest group", "5.00", []string{"1", "1", "1", "1", "1"}, []int{0, 1, 2, 3, 4}},
		{"six items is beyond the bound", "6.00", []string{"1", "1", "1", "1", "1", "1"}, nil},
		{"a single item is not a sum", "7.00", []string{"7.00", "1.00"}, nil},
		{"signs must agree", "5.00", []string{"10.00", "-5.00"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines := items(day, tc.line)
			ledger := items(day, tc.ledger...)
			got := matchSums(lines, ledger, 2, false)
			if tc.want == nil {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			require.Equal(t, MatchBySum, got[0].kind)
			require.Equal(t, []int{0}, got[0].lines)
			require.Equal(t, tc.want, got[0].ledger)
		})
	}
}

func TestMatchSumsLooksAtMaxSumCandidatesPerDate(t *testing.T) {
	t.Parallel()
	day := calendar.MustParseDate("2026-03-02")
	amounts := make([]string, MaxSumCandidates+2)
	for i := range amounts {
		amounts[i] = "1.00"
	}
	amounts[len(amounts)-1] = "50.00" // 1 + 50 would match, but 50 is past the bound
	got := matchSums(items(day, "51.00"), items(day, amounts...), 2, false)
	require.Empty(t, got)
	got = matchSums(items(day, "2.00"), items(day, amounts...), 2, false)
	require.Len(t, got, 1)
}

func TestMatchByAmountTakesTheClosestDateWithinTheWindow(t *testing.T) {
	t.Parallel()
	day := calendar.MustParseDate("2026-03-10")
	line := &reconItem{index: 0, amount: decimal.RequireFromString("100"), valueDate: day}
	far := &reconItem{index: 0, amount: decimal.RequireFromString("100"), valueDate: day.AddDays(-2)}
	near := &reconItem{index: 1, amount: decimal.RequireFromString("100"), valueDate: day.AddDays(1)}
	outside := &reconItem{index: 2, amount: decimal.RequireFromString("100"), valueDate: day.AddDays(3)}
	got := matchItems([]*reconItem{line}, []*reconItem{far, near, outside}, 2)
	require.Equal(t, []rawMatch{{kind: MatchByAmount, lines: []int{0}, ledger: []int{1}}}, got)
	require.False(t, far.matched)
	require.False(t, outside.matched)
}
