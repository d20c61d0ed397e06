package wealthtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/wealth"
)

func testEvents(t *testing.T, e *Env) {
	p := e.OpenEnded("EVT")
	c, acct := e.Customer("20000.00", 3)
	e.Subscribe(c, acct, p, "10000.00", "s")
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	e.At("2026-03-03", 10, 0)
	e.Redeem(c, acct, p, "100", "r", false)
	e.NAV(p, "2026-03-03", "1.0000")
	e.EOD("2026-03-03")
	e.EOD("2026-03-05")
	evs, err := e.Store.Events().Read(e.Ctx, 0, 100)
	require.NoError(t, err)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	require.Equal(t, []string{wealth.EventProductCreated, wealth.EventAssessed, wealth.EventOrderPlaced, wealth.EventNAVPublished,
		wealth.EventOrderConfirmed, wealth.EventOrderPlaced, wealth.EventNAVPublished, wealth.EventOrderConfirmed, wealth.EventRedemptionPaid}, types)
	for i := 1; i < len(evs); i++ {
		require.Greater(t, evs[i].Sequence, evs[i-1].Sequence)
	}
}
