package fxtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
)

var usdCNY = fx.Pair{Base: money.USD, Quote: money.CNY}

var rateTests = []test{
	{Name: "the rate in force is the latest published at or before the moment", Run: func(t *testing.T, f *fixture) {
		ten := suite.Start.Add(30 * time.Minute)
		second := f.publish("USD/CNY", "7.16", "7.11", "7.21", ten, f.Today)

		r, err := f.fx.RateAt(f.Ctx, usdCNY, ten.Add(-time.Nanosecond*1000))
		require.NoError(t, err)
		require.Equal(t, f.usdRate.ID, r.ID)
		require.True(t, r.Mid.Equal(d("7.15")))
		require.Equal(t, "treasury", r.Source)
		require.True(t, r.PublishedAt.Equal(opening))

		r, err = f.fx.RateAt(f.Ctx, usdCNY, ten)
		require.NoError(t, err)
		require.Equal(t, second.ID, r.ID, "a rate is in force from the instant it is published")

		_, err = f.fx.RateAt(f.Ctx, usdCNY, opening.Add(-time.Second))
		require.ErrorIs(t, err, fx.ErrNoRate)

		rates, err := f.fx.Rates(f.Ctx, usdCNY, f.Today)
		require.NoError(t, err)
		require.Len(t, rates, 2)
		require.Equal(t, []ledger.ID{f.usdRate.ID, second.ID}, []ledger.ID{rates[0].ID, rates[1].ID})
		rates, err = f.fx.Rates(f.Ctx, usdCNY, f.Today.AddDays(1))
		require.NoError(t, err)
		require.Empty(t, rates)

		// A conversion after ten uses the second rate: USD 100.00 × 7.11.
		f.Clock.Set(ten.Add(time.Second))
		c := f.mustConvert(f.usd, f.cny, "100.00")
		require.Equal(t, "711.00", c.Receives.ValueString())
		require.Equal(t, second.ID, c.RateID)
	}},
	{Name: "a second rate of a pair at the same instant is a duplicate", Run: func(t *testing.T, f *fixture) {
		_, err := f.fx.PublishRate(f.Ctx, fx.PublishRateRequest{Pair: usdCNY, Mid: d("7.3"), Buy: d("7.2"), Sell: d("7.4"),
			Source: "treasury", PublishedAt: opening})
		require.ErrorIs(t, err, ledger.ErrDuplicate)
		r, err := f.fx.RateAt(f.Ctx, usdCNY, suite.Start)
		require.NoError(t, err)
		require.True(t, r.Mid.Equal(d("7.15")), "the first publication stands")
	}},
	{Name: "a malformed rate is refused naming the field", Run: func(t *testing.T, f *fixture) {
		good := fx.PublishRateRequest{Pair: usdCNY, Mid: d("7.15"), Buy: d("7.10"), Sell: d("7.20"), Source: "treasury"}
		for _, tc := range []struct {
			field  string
			change func(r *fx.PublishRateRequest)
		}{
			{"mid", func(r *fx.PublishRateRequest) { r.Buy = d("7.16") }},
			{"mid", func(r *fx.PublishRateRequest) { r.Sell = d("7.14") }},
			{"buy", func(r *fx.PublishRateRequest) { r.Buy = d("0") }},
			{"sell", func(r *fx.PublishRateRequest) { r.Sell = d("7.123456789") }},
			{"source", func(r *fx.PublishRateRequest) { r.Source = "" }},
			{"source", func(r *fx.PublishRateRequest) { r.Source = "a\x00b" }},
			{"pair", func(r *fx.PublishRateRequest) { r.Pair = fx.Pair{Base: money.EUR, Quote: money.USD} }},
			{"pair", func(r *fx.PublishRateRequest) { r.Pair = fx.Pair{Base: money.CNY, Quote: money.CNY} }},
		} {
			r := good
			tc.change(&r)
			_, err := f.fx.PublishRate(f.Ctx, r)
			suite.RequireInvalid(t, err, tc.field)
		}
		rates, err := f.fx.Rates(f.Ctx, usdCNY, f.Today)
		require.NoError(t, err)
		require.Len(t, rates, 1, "nothing refused was stored")
	}},
}
