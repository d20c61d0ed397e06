package risktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/risk"
)

// testObserveBatch: a batch decides as the same transactions observed one
// by one would (each sees the ones before it), replays what was screened
// before, moves its cursor with it, and refuses bad input whole.
func testObserveBatch(t *testing.T, e *env) {
	e.publish(risk.Draft{Thresholds: risk.Thresholds{Review: 40, BlockAndReview: 90, Decline: 150},
		Aggregates: []risk.Aggregate{
			{Name: "out_1h", Entity: risk.EntityAccount, Side: risk.SideFrom, Measure: risk.Count, Window: risk.Window(time.Hour)},
			{Name: "out_sum_1h", Entity: risk.EntityAccount, Side: risk.SideFrom, Measure: risk.Sum, Window: risk.Window(time.Hour)},
			{Name: "senders_1h", Entity: risk.EntityAccount, Side: risk.SideTo, Measure: risk.Distinct, Window: risk.Window(time.Hour)},
		},
		Rules: []risk.Rule{{Name: "large", Expr: "amount >= 1000", Score: 50}}})
	pos, err := e.svc.ObserverCursor(e.ctx, "ledger")
	require.NoError(t, err)
	require.Zero(t, pos)

	first := e.tx("a", "b", "10.00")
	d := e.screen(first)
	require.Equal(t, "1", d.Figures["out_1h"])

	e.clock.Advance(time.Minute)
	batch := []risk.Transaction{first, e.tx("a", "b", "20.00"), e.tx("x", "b", "1500.00"), e.tx("a", "b", "30.00"), e.tx("y", "b", "1.00")}
	vs, err := e.svc.ObserveBatch(e.ctx, "ledger", 17, batch)
	require.NoError(t, err)
	require.Len(t, vs, len(batch))
	require.True(t, vs[0].Replayed, "screened before: replayed, counted once")
	require.Equal(t, d.ID, vs[0].Decision.ID)
	require.Equal(t, "2", vs[1].Decision.Figures["out_1h"])
	require.Equal(t, "30", vs[1].Decision.Figures["out_sum_1h"])
	require.Equal(t, "2", vs[2].Decision.Figures["senders_1h"])
	require.Equal(t, risk.Review, vs[2].Decision.Outcome)
	require.Equal(t, risk.ModeObserved, vs[2].Decision.Mode)
	require.NotEqual(t, risk.NilID, vs[2].Decision.AlertID)
	require.Equal(t, "3", vs[3].Decision.Figures["out_1h"])
	require.Equal(t, "60", vs[3].Decision.Figures["out_sum_1h"])
	require.Equal(t, "3", vs[4].Decision.Figures["senders_1h"])
	for i := 1; i < len(batch); i++ {
		require.False(t, vs[i].Replayed)
		got, err := e.svc.Decision(e.ctx, vs[i].Decision.ID)
		require.NoError(t, err, "decision %d kept", i)
		require.Equal(t, vs[i].Decision.Outcome, got.Outcome)
	}
	alerts, err := e.svc.Alerts(e.ctx, risk.AlertFilter{CustomerID: "c-x"})
	require.NoError(t, err)
	require.Len(t, alerts, 1)
	pos, err = e.svc.ObserverCursor(e.ctx, "ledger")
	require.NoError(t, err)
	require.Equal(t, int64(17), pos)

	// The same page again (a crash before the caller saw the answer):
	// every transaction replayed, nothing counted twice.
	vs, err = e.svc.ObserveBatch(e.ctx, "ledger", 17, batch)
	require.NoError(t, err)
	for i := range vs {
		require.True(t, vs[i].Replayed, "transaction %d", i)
	}
	require.Equal(t, "4", e.screen(e.tx("a", "b", "1.00")).Figures["out_1h"])

	// One transaction twice in a page (a feed that delivers an event
	// twice): the second is the first's decision, alert included, counted
	// once.
	twice := e.tx("z", "b", "2000.00")
	vs, err = e.svc.ObserveBatch(e.ctx, "ledger", 18, []risk.Transaction{twice, e.tx("z", "b", "1.00"), twice})
	require.NoError(t, err)
	require.False(t, vs[0].Replayed)
	require.NotEqual(t, risk.NilID, vs[0].Decision.AlertID)
	require.Equal(t, "2", vs[1].Decision.Figures["out_1h"])
	require.True(t, vs[2].Replayed)
	require.Equal(t, vs[0].Decision, vs[2].Decision)
	require.Equal(t, "3", e.screen(e.tx("z", "b", "1.00")).Figures["out_1h"])
	pos, err = e.svc.ObserverCursor(e.ctx, "ledger")
	require.NoError(t, err)
	require.Equal(t, int64(18), pos)

	// A cursor never moves back.
	_, err = e.svc.ObserveBatch(e.ctx, "ledger", 5, nil)
	require.NoError(t, err)
	pos, err = e.svc.ObserverCursor(e.ctx, "ledger")
	require.NoError(t, err)
	require.Equal(t, int64(18), pos)

	// Bad input refuses the whole batch, naming the transaction and the
	// field: nothing counted, the cursor where it was.
	bad := e.tx("a", "b", "1.00")
	bad.Amount.Amount = bad.Amount.Amount.Neg()
	_, err = e.svc.ObserveBatch(e.ctx, "ledger", 30, []risk.Transaction{e.tx("a", "b", "1.00"), bad})
	require.ErrorIs(t, err, risk.ErrInvalidInput)
	require.ErrorContains(t, err, "transactions[1].")
	pos, err = e.svc.ObserverCursor(e.ctx, "ledger")
	require.NoError(t, err)
	require.Equal(t, int64(18), pos)
	require.Equal(t, "5", e.screen(e.tx("a", "b", "1.00")).Figures["out_1h"])
	_, err = e.svc.ObserveBatch(e.ctx, "", 30, nil)
	require.ErrorIs(t, err, risk.ErrInvalidInput)
}
