// Package fxtest is the contract suite of fx.Store: every backend runs it
// (memledger always, pgledger when a database is configured), and so may
// anyone writing a backend of their own.
package fxtest

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
)

// NewStores returns a fresh, empty backend for one test: its ledger.Store
// and fx.Store, which must share their data (usually one value).
type NewStores func(t *testing.T) (ledger.Store, fx.Store)

// Run runs the FX contract suite: rates and the one in force, quotes,
// conversions both ways with their hand-worked figures, balance per
// currency, positions and income equal to the sum of the conversions,
// refusals that leave nothing behind, idempotency and recovery of an
// interrupted conversion, revaluation over two business dates, and the
// annual quota, also under concurrent conversions. Subtests run in
// parallel, each on a fresh backend.
func Run(t *testing.T, newStores NewStores) {
	suite.Run(t, func(t *testing.T) *fixture { return newFixture(t, newStores) },
		rateTests, conversionTests, refusalTests, positionTests, revaluationTests, quotaTests, crossTests, refTests)
}

type test = suite.Test[*fixture]

// fixture is a bank with USD, EUR and CNY charts, an FX Service, and
// alice's accounts: CNY 100,000.00, USD 100,000.00 and EUR 1,000.00.
type fixture struct {
	*suite.Bank
	store fx.Store
	fx    *fx.Service

	cny, usd, eur ledger.Account
	usdRate       fx.Rate
}

// opening is 08:30 on the first business date, when the morning rates are
// published.
var opening = suite.Start.Add(-time.Hour)

func newFixture(t *testing.T, newStores NewStores) *fixture {
	lstore, fstore := newStores(t)
	f := &fixture{Bank: suite.NewBank(t, lstore), store: fstore}
	f.fx = f.newService(fstore)
	for _, c := range []money.Currency{money.USD, money.EUR} {
		_, err := f.Svc.SetupChart(f.Ctx, c)
		require.NoError(t, err)
	}
	f.cny = f.open("alice", money.CNY, "100000.00")
	f.usd = f.open("alice", money.USD, "100000.00")
	f.eur = f.open("alice", money.EUR, "1000.00")
	f.usdRate = f.publish("USD/CNY", "7.15", "7.10", "7.20", opening, f.Today)
	return f
}

func (f *fixture) newService(store fx.Store, opts ...fx.Option) *fx.Service {
	s, err := fx.NewService(f.Svc, store, append([]fx.Option{fx.WithClock(f.Clock)}, opts...)...)
	require.NoError(f.T, err)
	return s
}

func m(v string, c money.Currency) money.Money { return money.MustParse(v, string(c)) }

func d(v string) decimal.Decimal { return decimal.RequireFromString(v) }

// open opens a demand account for owner in c and deposits amount in cash.
func (f *fixture) open(owner string, c money.Currency, amount string) ledger.Account {
	f.T.Helper()
	a := f.OpenWith(ledger.OpenAccountRequest{OwnerID: owner, Product: ledger.ProductDemand, Currency: c})
	if amount != "" {
		_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: m(amount, c)})
		require.NoError(f.T, err)
	}
	return a
}

func (f *fixture) publish(pair, mid, buy, sell string, at time.Time, date calendar.Date) fx.Rate {
	f.T.Helper()
	p, err := fx.ParsePair(pair)
	require.NoError(f.T, err)
	r, err := f.fx.PublishRate(f.Ctx, fx.PublishRateRequest{Pair: p, Mid: d(mid), Buy: d(buy), Sell: d(sell),
		Source: "treasury", BusinessDate: date, PublishedAt: at})
	require.NoError(f.T, err)
	return r
}

func (f *fixture) convert(from, to ledger.Account, amount, key string) (fx.ConvertReceipt, error) {
	return f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: from.ID, ToAccountID: to.ID,
		Amount: m(amount, from.Currency), IdempotencyKey: key})
}

func (f *fixture) mustConvert(from, to ledger.Account, amount string) fx.Conversion {
	f.T.Helper()
	r, err := f.convert(from, to, amount, "")
	require.NoError(f.T, err)
	require.Equal(f.T, fx.Posted, r.Conversion.Status)
	return r.Conversion
}

// balance is a chart account's balance as a string, "0.00" style zero when
// the account does not exist.
func (f *fixture) chartBalance(c money.Currency, code string) string {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, c, code)
	if errors.Is(err, ledger.ErrNotFound) {
		return money.Zero(c).ValueString()
	}
	require.NoError(f.T, err)
	return a.Balance.ValueString()
}

// position returns the Positions entry of c.
func (f *fixture) position(c money.Currency) fx.Position {
	f.T.Helper()
	ps, err := f.fx.Positions(f.Ctx)
	require.NoError(f.T, err)
	for _, p := range ps {
		if p.Open.Currency == c {
			return p
		}
	}
	return fx.Position{Open: money.Zero(c), Carrying: money.Zero(money.CNY)}
}

// requireBalancedPerCurrency reads the entry back and checks it has legs
// in two currencies, each balanced.
func (f *fixture) requireBalancedPerCurrency(entryID ledger.ID) ledger.Entry {
	f.T.Helper()
	e, err := f.Svc.Entry(f.Ctx, entryID)
	require.NoError(f.T, err)
	net := map[money.Currency]decimal.Decimal{}
	for _, p := range e.Postings {
		if p.Side == ledger.Debit {
			net[p.Amount.Currency] = net[p.Amount.Currency].Add(p.Amount.Amount)
		} else {
			net[p.Amount.Currency] = net[p.Amount.Currency].Sub(p.Amount.Amount)
		}
	}
	require.Len(f.T, net, 2, "a conversion has legs in two currencies")
	for c, n := range net {
		require.True(f.T, n.IsZero(), "%s debits and credits differ by %s", c, n)
	}
	return e
}

func requireField(t *testing.T, err error, sentinel error, field string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}
