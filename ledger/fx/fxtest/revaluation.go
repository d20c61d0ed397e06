package fxtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
)

// dateMover is how the suite closes a business date on a backend that
// also keeps end of day's records (memledger and pgledger both do).
type dateMover interface {
	AdvanceBusinessDate(ctx context.Context, from, to calendar.Date) error
}

var revaluationTests = []test{
	{Name: "revaluation posts the hand-computed gain and loss at the closing mid", Run: func(t *testing.T, f *fixture) {
		d0 := f.Today
		// Day 1: alice sells USD 100.00 at 7.10 (mid 7.15): long USD 100.00
		// carried at CNY 715.00.
		f.mustConvert(f.usd, f.cny, "100.00")
		f.publish("USD/CNY", "7.20", "7.15", "7.25", time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC), d0)
		revs, err := f.fx.Revalue(f.Ctx, d0)
		require.NoError(t, err)
		require.Len(t, revs, 1)
		r := revs[0]
		// 100.00 × closing mid 7.20 = 720.00; gain 720.00 − 715.00 = 5.00.
		require.Equal(t, money.USD, r.Currency)
		require.True(t, r.Position.Equal(d("100")))
		require.True(t, r.ClosingMid.Equal(d("7.20")))
		require.True(t, r.Carrying.Equal(d("715")))
		require.True(t, r.Value.Equal(d("720")))
		require.True(t, r.Gain.Equal(d("5")))
		require.NotZero(t, r.EntryID)
		require.Equal(t, "5.00", f.chartBalance(money.CNY, fx.CodeRevaluation))
		require.Equal(t, "5.00", f.chartBalance(money.CNY, fx.CodePositionRevaluation))

		// Once per date: a second run, even after another conversion,
		// returns the recorded figures and posts nothing.
		f.mustConvert(f.usd, f.cny, "1.00")
		again, err := f.fx.Revalue(f.Ctx, d0)
		require.NoError(t, err)
		require.Len(t, again, 1)
		require.True(t, again[0].Gain.Equal(d("5")))
		require.Equal(t, r.EntryID, again[0].EntryID)
		require.Equal(t, "5.00", f.chartBalance(money.CNY, fx.CodeRevaluation))
		recorded, err := f.fx.Revaluations(f.Ctx, d0)
		require.NoError(t, err)
		require.Len(t, recorded, 1)
		require.Equal(t, r.EntryID, recorded[0].EntryID)

		mover, ok := f.Store.(dateMover)
		if !ok {
			t.Skip("the backend cannot advance the business date; the second day is not run")
		}
		d1 := d0.AddDays(1)
		require.NoError(t, mover.AdvanceBusinessDate(f.Ctx, d0, d1))
		f.Clock.Set(time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC))
		f.publish("USD/CNY", "7.18", "7.13", "7.23", time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), d1)
		// Day 2: alice buys dollars with CNY 1000.00 at sell 7.23:
		// 1000.00 / 7.23 = 138.3125… → USD 138.31; at mid 138.31 × 7.18 =
		// 993.0658 → CNY 993.07.
		c := f.mustConvert(f.cny, f.usd, "1000.00")
		require.Equal(t, "138.31 USD", c.Receives.String())
		require.Equal(t, "993.07 CNY", c.HomeAtMid.String())
		require.Equal(t, "6.93 CNY", c.Income.String())
		f.publish("USD/CNY", "7.16", "7.11", "7.21", time.Date(2026, 3, 3, 17, 0, 0, 0, time.UTC), d1)
		revs, err = f.fx.Revalue(f.Ctx, d1)
		require.NoError(t, err)
		require.Len(t, revs, 1)
		r = revs[0]
		// Position 100.00 + 1.00 − 138.31 = −37.31. Carrying: 715.00 (day
		// 1) + 5.00 (day 1's gain) + 7.15 (the USD 1.00 after it) − 993.07
		// = −265.92. Value −37.31 × 7.16 = −267.1396 → −267.14.
		// Gain −267.14 − (−265.92) = −1.22: a loss.
		require.True(t, r.Position.Equal(d("-37.31")), "position %s", r.Position)
		require.True(t, r.Carrying.Equal(d("-265.92")), "carrying %s", r.Carrying)
		require.True(t, r.Value.Equal(d("-267.14")), "value %s", r.Value)
		require.True(t, r.Gain.Equal(d("-1.22")), "gain %s", r.Gain)
		require.Equal(t, "3.78", f.chartBalance(money.CNY, fx.CodeRevaluation), "5.00 − 1.22")
		require.Equal(t, "3.78", f.chartBalance(money.CNY, fx.CodePositionRevaluation))
		e, err := f.Svc.Entry(f.Ctx, r.EntryID)
		require.NoError(t, err)
		require.Equal(t, d1, e.ValueDate)
		p := f.position(money.USD)
		require.Equal(t, "-37.31", p.Open.ValueString())
		require.Equal(t, "-267.14", p.Carrying.ValueString(), "carried at the last closing value")
		f.RequireTrialBalanced()
	}},
	{Name: "revaluation without a closing rate for the date is refused", Run: func(t *testing.T, f *fixture) {
		f.mustConvert(f.usd, f.cny, "100.00")
		_, err := f.fx.Revalue(f.Ctx, f.Today.AddDays(-1))
		require.ErrorIs(t, err, fx.ErrNoRate)
		require.ErrorIs(t, err, fx.ErrNoClosingRate)
		var missing *fx.ClosingRateError
		require.ErrorAs(t, err, &missing)
		require.Equal(t, "USD/CNY", missing.Pair.String())
		require.Equal(t, f.Today.AddDays(-1), missing.Date)
		require.Contains(t, err.Error(), "USD/CNY")
		recorded, err := f.fx.Revaluations(f.Ctx, f.Today.AddDays(-1))
		require.NoError(t, err)
		require.Empty(t, recorded)
		require.Equal(t, "0.00", f.chartBalance(money.CNY, fx.CodeRevaluation))

		f.publish("USD/CNY", "7.20", "7.15", "7.25", opening.Add(time.Hour), f.Today.AddDays(1))
		_, err = f.fx.Revalue(f.Ctx, f.Today.AddDays(1))
		suite.RequireInvalid(t, err, "business_date")
		recorded, err = f.fx.Revaluations(f.Ctx, f.Today.AddDays(1))
		require.NoError(t, err)
		require.Empty(t, recorded, "a future date is refused before anything is recorded")
	}},
}
