package customer_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func TestWeekendsOnly(t *testing.T) {
	t.Parallel()
	// 2026-03-06 is a Friday.
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-06", 1, "2026-03-09"},  // Friday + 1 -> Monday
		{"2026-03-02", 4, "2026-03-06"},  // Monday + 4 -> Friday
		{"2026-03-02", 5, "2026-03-09"},  // Monday + 5 -> next Monday
		{"2026-03-07", 1, "2026-03-10"},  // Saturday rolls to Monday, + 1
		{"2026-03-02", 15, "2026-03-23"}, // three weeks
		{"2026-03-09", -1, "2026-03-06"},
		{"2026-03-08", 0, "2026-03-09"},
	}
	for _, tt := range tests {
		got := customer.WeekendsOnly{}.AddBusinessDays(calendar.MustParseDate(tt.from), tt.n)
		require.Equal(t, tt.want, got.String(), "%s %+d", tt.from, tt.n)
	}
}
