package fxtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
)

var refusalTests = []test{
	{Name: "a movement between currencies without a rate is refused", Run: func(t *testing.T, f *fixture) {
		_, err := f.convert(f.eur, f.cny, "100.00", "no-rate")
		require.ErrorIs(t, err, fx.ErrNoRate, "no EUR/CNY rate is published")
		_, err = f.convert(f.eur, f.usd, "100.00", "")
		require.ErrorIs(t, err, fx.ErrNoRate, "the cross through CNY needs the EUR/CNY rate")
		f.RequireBalance(f.eur.ID, "1000.00")
		f.RequireBalance(f.cny.ID, "100000.00")
		_, err = f.fx.Quote(f.Ctx, fx.QuoteRequest{Pays: m("1.00", money.EUR), Receive: money.CNY})
		require.ErrorIs(t, err, fx.ErrNoRate)
		// The key of a refused conversion is free for the next attempt.
		f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening, f.Today)
		r, err := f.convert(f.eur, f.cny, "100.00", "no-rate")
		require.NoError(t, err)
		require.False(t, r.Replayed)
		require.Equal(t, "775.00 CNY", r.Conversion.Receives.String())
	}},
	{Name: "the ledger's refusals leave no record, quota or claimed quote", Run: func(t *testing.T, f *fixture) {
		bobUSD := f.open("bob", money.USD, "10.00")
		bobCNY := f.open("bob", money.CNY, "")
		q, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{OwnerID: "bob", Pays: m("20.00", money.USD), Receive: money.CNY})
		require.NoError(t, err)
		req := fx.ConvertRequest{FromAccountID: bobUSD.ID, ToAccountID: bobCNY.ID, Amount: m("20.00", money.USD), QuoteID: q.ID, IdempotencyKey: "short"}
		_, err = f.fx.Convert(f.Ctx, req)
		require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
		used, err := f.fx.QuotaUsed(f.Ctx, "bob", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.IsZero(), "quota released, used %s", used)
		require.Equal(t, "0.00", f.chartBalance(money.USD, fx.CodePosition))

		_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: bobUSD.ID, Amount: m("10.00", money.USD)})
		require.NoError(t, err)
		r, err := f.fx.Convert(f.Ctx, req)
		require.NoError(t, err, "the quote and the key are free again")
		require.Equal(t, "142.00 CNY", r.Conversion.Receives.String())
		used, err = f.fx.QuotaUsed(f.Ctx, "bob", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.Equal(t, "20.00 USD", used.String())
	}},
	{Name: "wrong currency, closed and missing accounts are refused as the ledger refuses them", Run: func(t *testing.T, f *fixture) {
		_, err := f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("1.00", money.CNY)})
		require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)

		closed := f.open("alice", money.CNY, "")
		_, err = f.Svc.Close(f.Ctx, closed.ID)
		require.NoError(t, err)
		_, err = f.convert(f.usd, closed, "1.00", "")
		require.ErrorIs(t, err, ledger.ErrAccountClosed)

		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: ledger.NewID(), ToAccountID: f.cny.ID, Amount: m("1.00", money.USD)})
		requireField(t, err, ledger.ErrNotFound, "from_account_id")
		_, err = f.convert(f.usd, f.usd, "1.00", "")
		suite.RequireInvalid(t, err, "to_account_id")
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("0.00", money.USD)})
		suite.RequireInvalid(t, err, "amount")
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.cny.ID, ToAccountID: f.usd.ID, Amount: m("0.07", money.CNY)})
		suite.RequireInvalid(t, err, "amount") // 0.07 / 7.20 buys less than a cent
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("1.00", money.USD), Description: "bad\x00text"})
		suite.RequireInvalid(t, err, "description")
		_, err = f.convert(f.usd, f.cny, "1.00", "key\x00with a NUL")
		require.ErrorIs(t, err, ledger.ErrInvalidInput)
		_, err = f.fx.Quote(f.Ctx, fx.QuoteRequest{OwnerID: "a\x00b", Pays: m("1.00", money.USD), Receive: money.CNY})
		suite.RequireInvalid(t, err, "owner_id")
		second := f.open("alice", money.CNY, "")
		_, err = f.convert(f.cny, second, "1.00", "")
		suite.RequireInvalid(t, err, "currency")

		f.RequireBalance(f.usd.ID, "100000.00")
		f.RequireBalance(f.cny.ID, "100000.00")
		require.Equal(t, "0.00", f.chartBalance(money.USD, fx.CodePosition))
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.IsZero())
	}},
}
