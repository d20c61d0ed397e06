package fxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var conversionTests = []test{
	{Name: "a sale of foreign currency is paid at the bank's buy rate", Run: func(t *testing.T, f *fixture) {
		c := f.mustConvert(f.usd, f.cny, "100.00")
		// USD 100.00 × buy 7.10 = CNY 710.00 to alice; at mid 7.15 the
		// dollars are worth CNY 715.00; the bank earns 715.00 − 710.00.
		require.Equal(t, fx.Sell, c.Side)
		require.Equal(t, "710.00 CNY", c.Receives.String())
		require.Equal(t, "715.00 CNY", c.HomeAtMid.String())
		require.Equal(t, "5.00 CNY", c.Income.String())
		require.Equal(t, "alice", c.OwnerID)
		f.RequireBalance(f.usd.ID, "99900.00")
		f.RequireBalance(f.cny.ID, "100710.00")

		e := f.requireBalancedPerCurrency(c.EntryID)
		require.Equal(t, c.ID.String(), e.Metadata["fx.conversion_id"])
		require.Equal(t, "USD/CNY", e.Metadata["fx.pair"])
		require.True(t, d(e.Metadata["fx.rate"]).Equal(d("7.10")))
		require.True(t, d(e.Metadata["fx.mid"]).Equal(d("7.15")))
		require.True(t, d(e.Metadata["fx.spread"]).Equal(d("0.05")))
		require.Equal(t, "treasury", e.Metadata["fx.rate_source"])
		at, err := time.Parse(time.RFC3339Nano, e.Metadata["fx.rate_time"])
		require.NoError(t, err)
		require.True(t, at.Equal(opening))

		require.Equal(t, "100.00", f.chartBalance(money.USD, fx.CodePosition), "long USD 100")
		require.Equal(t, "-715.00", f.chartBalance(money.CNY, fx.CodePosition), "short CNY at mid")
		require.Equal(t, "5.00", f.chartBalance(money.CNY, fx.CodeIncome))

		got, err := f.fx.Conversion(f.Ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, c.EntryID, got.EntryID)
		require.Equal(t, fx.Posted, got.Status)
		require.True(t, got.Rate.Equal(d("7.10")))
	}},
	{Name: "a purchase of foreign currency is priced at the sell rate and rounded down", Run: func(t *testing.T, f *fixture) {
		c := f.mustConvert(f.cny, f.usd, "1000.00")
		// CNY 1000.00 / sell 7.20 = 138.888… → USD 138.88 (down, never the
		// customer's half cent); at mid 138.88 × 7.15 = 992.992 → 992.99;
		// income 1000.00 − 992.99 = 7.01.
		require.Equal(t, fx.Buy, c.Side)
		require.Equal(t, "138.88 USD", c.Receives.String())
		require.Equal(t, "992.99 CNY", c.HomeAtMid.String())
		require.Equal(t, "7.01 CNY", c.Income.String())
		f.RequireBalance(f.cny.ID, "99000.00")
		f.RequireBalance(f.usd.ID, "100138.88")
		f.requireBalancedPerCurrency(c.EntryID)
		require.Equal(t, "-138.88", f.chartBalance(money.USD, fx.CodePosition))
		require.Equal(t, "992.99", f.chartBalance(money.CNY, fx.CodePosition))
		inc, err := f.fx.Income(f.Ctx)
		require.NoError(t, err)
		require.Equal(t, "7.01 CNY", inc.String())
	}},
	{Name: "a currency without minor units is rounded down to the unit", Run: func(t *testing.T, f *fixture) {
		f.publish("JPY/CNY", "0.0490", "0.0480", "0.0503", opening, f.Today)
		_, err := f.Svc.SetupChart(f.Ctx, money.JPY)
		require.NoError(t, err)
		jpy := f.open("alice", money.JPY, "")
		c := f.mustConvert(f.cny, jpy, "100.01")
		// 100.01 / 0.0503 = 1988.27… → JPY 1988; at mid 1988 × 0.0490 =
		// 97.412 → CNY 97.41; income 100.01 − 97.41 = 2.60.
		require.Equal(t, "1988 JPY", c.Receives.String())
		require.Equal(t, "97.41 CNY", c.HomeAtMid.String())
		require.Equal(t, "2.60 CNY", c.Income.String())
		f.RequireBalance(jpy.ID, "1988")
	}},
	{Name: "a conversion is idempotent under its key", Run: func(t *testing.T, f *fixture) {
		first, err := f.convert(f.usd, f.cny, "100.00", "k1")
		require.NoError(t, err)
		require.False(t, first.Replayed)
		// A new rate meanwhile changes nothing for the replay.
		f.publish("USD/CNY", "7.30", "7.25", "7.35", f.Clock.Now(), f.Today)
		again, err := f.convert(f.usd, f.cny, "100.00", "k1")
		require.NoError(t, err)
		require.True(t, again.Replayed)
		require.Equal(t, first.Conversion.ID, again.Conversion.ID)
		require.Equal(t, first.Conversion.EntryID, again.Conversion.EntryID)
		f.RequireBalance(f.usd.ID, "99900.00")
		f.RequireBalance(f.cny.ID, "100710.00")

		_, err = f.convert(f.usd, f.cny, "100.01", "k1")
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
		f.RequireBalance(f.usd.ID, "99900.00")
	}},
	{Name: "a conversion interrupted after its record completes when retried", Run: func(t *testing.T, f *fixture) {
		broken := &failFinish{Store: f.store, fail: 1}
		svc := f.newService(broken)
		req := fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), IdempotencyKey: "crash"}
		_, err := svc.Convert(f.Ctx, req)
		require.ErrorIs(t, err, errCrash)
		// The entry posted, the record is pending; the retry finishes it
		// without posting twice.
		f.RequireBalance(f.usd.ID, "99900.00")
		r, err := svc.Convert(f.Ctx, req)
		require.NoError(t, err)
		require.True(t, r.Replayed)
		require.Equal(t, fx.Posted, r.Conversion.Status)
		f.RequireBalance(f.usd.ID, "99900.00")
		f.RequireBalance(f.cny.ID, "100710.00")
		require.Equal(t, "100.00", f.position(money.USD).Open.ValueString())
		require.Equal(t, "715.00", f.position(money.USD).Carrying.ValueString())
	}},
	{Name: "a conversion cancelled meanwhile by a request with its key is reversed", Run: func(t *testing.T, f *fixture) {
		svc := f.newService(cancelFirst{f.store})
		req := fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), IdempotencyKey: "raced"}
		_, err := svc.Convert(f.Ctx, req)
		require.ErrorIs(t, err, fx.ErrConversionCancelled)
		f.RequireBalance(f.usd.ID, "100000.00")
		f.RequireBalance(f.cny.ID, "100000.00")
		require.Equal(t, "0.00", f.chartBalance(money.USD, fx.CodePosition))
		require.Equal(t, "0.00", f.chartBalance(money.CNY, fx.CodeIncome))
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.IsZero())
		// The key is free: sent again, the conversion posts.
		r, err := f.fx.Convert(f.Ctx, req)
		require.NoError(t, err)
		require.False(t, r.Replayed)
		f.RequireBalance(f.usd.ID, "99900.00")
	}},
	{Name: "a quote fixes the rate while it is valid and unused", Run: func(t *testing.T, f *fixture) {
		q, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{OwnerID: "alice", Pays: m("100.00", money.USD), Receive: money.CNY})
		require.NoError(t, err)
		require.Equal(t, "710.00 CNY", q.Receives.String())
		require.Equal(t, fx.Sell, q.Side)
		require.Equal(t, f.Clock.Now().Add(fx.DefaultQuoteTTL), q.ExpiresAt)
		// The board moves; the quote holds for 30 s.
		f.publish("USD/CNY", "7.30", "7.25", "7.35", f.Clock.Now(), f.Today)
		f.Clock.Advance(fx.DefaultQuoteTTL)
		r, err := f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: q.ID})
		require.NoError(t, err)
		require.Equal(t, "710.00 CNY", r.Conversion.Receives.String())
		require.Equal(t, q.ID, r.Conversion.QuoteID)
		e := f.requireBalancedPerCurrency(r.Conversion.EntryID)
		require.Equal(t, q.ID.String(), e.Metadata["fx.quote_id"])

		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: q.ID})
		requireField(t, err, fx.ErrQuoteUsed, "quote_id")

		late, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{Pays: m("100.00", money.USD), Receive: money.CNY})
		require.NoError(t, err)
		require.Equal(t, "725.00 CNY", late.Receives.String(), "a new quote has the new rate")
		f.Clock.Advance(fx.DefaultQuoteTTL + time.Microsecond)
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: late.ID})
		requireField(t, err, fx.ErrQuoteExpired, "quote_id")

		bobs, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{OwnerID: "bob", Pays: m("100.00", money.USD), Receive: money.CNY})
		require.NoError(t, err)
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: bobs.ID})
		requireField(t, err, ledger.ErrNotFound, "quote_id")

		other, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{Pays: m("50.00", money.USD), Receive: money.CNY})
		require.NoError(t, err)
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: other.ID})
		requireField(t, err, ledger.ErrInvalidInput, "quote_id")

		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("100.00", money.USD), QuoteID: ledger.NewID()})
		requireField(t, err, ledger.ErrNotFound, "quote_id")
		f.RequireBalance(f.usd.ID, "99900.00", "99900.00")
	}},
}

// cancelFirst is a Store on which a concurrent request with the same key
// cancels the record just before this one marks it posted.
type cancelFirst struct{ fx.Store }

func (s cancelFirst) FinishConversion(ctx context.Context, id, entryID ledger.ID) (fx.Conversion, error) {
	if err := s.Store.CancelConversion(ctx, id); err != nil {
		return fx.Conversion{}, err
	}
	return s.Store.FinishConversion(ctx, id, entryID)
}

// errCrash stands for a process dying between two steps.
var errCrash = fmt.Errorf("fxtest: simulated crash")

// failFinish is a Store whose FinishConversion fails the first fail times.
type failFinish struct {
	fx.Store
	fail int
}

func (s *failFinish) FinishConversion(ctx context.Context, id, entryID ledger.ID) (fx.Conversion, error) {
	if s.fail > 0 {
		s.fail--
		return fx.Conversion{}, errCrash
	}
	return s.Store.FinishConversion(ctx, id, entryID)
}
