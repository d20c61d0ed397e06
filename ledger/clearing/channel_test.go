package clearing_test

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

func TestRouteBoundaries(t *testing.T) {
	cal, err := calendar.NewBusinessCalendar()
	require.NoError(t, err)
	cs := clearing.DefaultChannels(cal)
	require.NoError(t, cs.Validate())
	// Wednesday 2026-03-04 11:00 Beijing: every channel open.
	at := time.Date(2026, time.March, 4, 11, 0, 0, 0, clearing.Beijing)
	cases := []struct {
		amount  string
		urgent  bool
		channel string
		send    time.Time
	}{
		{"0.01", false, "IBPS", at},
		{"5000.00", false, "IBPS", at}, // at the small amount: online
		{"5000.01", false, "BEPS", time.Date(2026, time.March, 4, 13, 0, 0, 0, clearing.Beijing)},
		{"49999.99", false, "BEPS", time.Date(2026, time.March, 4, 13, 0, 0, 0, clearing.Beijing)},
		{"50000.00", false, "HVPS", at}, // at the bulk limit: large-value
		{"0.01", true, "HVPS", at},
	}
	for _, tc := range cases {
		r, err := cs.Route(money.MustParse(tc.amount, "CNY"), tc.urgent, at)
		require.NoError(t, err)
		require.Equal(t, tc.channel, r.Channel, tc.amount)
		require.True(t, r.SendAfter.Equal(tc.send), "%s: %s", tc.amount, r.SendAfter)
	}
	// Exactly at a cut-off the batch still takes it; a second later it waits.
	cut := time.Date(2026, time.March, 4, 16, 0, 0, 0, clearing.Beijing)
	r, err := cs.Route(money.MustParse("10000.00", "CNY"), false, cut)
	require.NoError(t, err)
	require.True(t, r.SendAfter.Equal(cut))
	r, err = cs.Route(money.MustParse("10000.00", "CNY"), false, cut.Add(time.Second))
	require.NoError(t, err)
	require.True(t, r.SendAfter.Equal(time.Date(2026, time.March, 5, 10, 0, 0, 0, clearing.Beijing)), r.SendAfter.String())
	// Another currency has no channel.
	r, err = cs.Route(money.MustParse("10.00", "USD"), false, at)
	require.NoError(t, err)
	require.Empty(t, r.Channel)
}
