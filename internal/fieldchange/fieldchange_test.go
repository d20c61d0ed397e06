package fieldchange_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/fieldchange"
)

type line struct {
	Account [2]byte
	Amount  decimal.Decimal
}

type request struct {
	Name   string
	Count  int
	Urgent bool
	At     time.Time
	Lines  []line
	Tags   []string
	Meta   map[string]string
	Key    string
}

func TestEachChangesOneFieldAtATime(t *testing.T) {
	base := fieldchange.Filled(request{})
	require.NotEmpty(t, base.Name)
	require.NotZero(t, base.Count)
	require.True(t, base.Urgent)
	require.False(t, base.At.IsZero())
	require.Len(t, base.Lines, 1)
	require.False(t, base.Lines[0].Amount.IsZero())
	require.Len(t, base.Meta, 1)

	var fields []string
	for field, changed := range fieldchange.Each(request{}, "Key") {
		fields = append(fields, field)
		require.NotEqual(t, base, changed, field)
		require.Equal(t, base.Key, changed.Key, "skipped fields stay")
	}
	require.Equal(t, []string{"Name", "Count", "Urgent", "At", "Lines", "Lines[0].Account", "Lines[0].Amount", "Tags", "Meta"}, fields)
	require.Equal(t, fieldchange.Filled(request{}), base, "changing copies leaves the base alone")
}
