package fxtest

import (
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

// requireTotals checks one currency's running totals.
func (f *fixture) requireTotals(c money.Currency, position, carrying, income string) {
	f.T.Helper()
	totals, err := f.store.Totals(f.Ctx)
	require.NoError(f.T, err)
	for _, t := range totals {
		if t.Currency == c {
			require.True(f.T, t.Position.Equal(d(position)), "%s position %s, want %s", c, t.Position, position)
			require.True(f.T, t.Carrying.Equal(d(carrying)), "%s carrying %s, want %s", c, t.Carrying, carrying)
			require.True(f.T, t.Income.Equal(d(income)), "%s income %s, want %s", c, t.Income, income)
			return
		}
	}
	f.T.Fatalf("no running totals for %s in %v", c, totals)
}

// requireReconciled checks that the running totals equal the sum of the
// conversions and revaluations.
func (f *fixture) requireReconciled() {
	f.T.Helper()
	diffs, err := f.fx.ReconcileTotals(f.Ctx)
	require.NoError(f.T, err)
	require.Empty(f.T, diffs, "the running totals differ from the conversions")
}

var crossTests = []test{
	{Name: "a cross conversion goes through the home currency, each spread once, by the hand-computed figures", Run: func(t *testing.T, f *fixture) {
		eurRate := f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening.Add(time.Minute), f.Today)
		// USD 100.00 for EUR: the bank buys USD at 7.10 and sells EUR at
		// 7.85. Cross 7.10 / 7.85 = 0.904458598… → 0.90445859 (down);
		// 100.00 × 0.90445859 = 90.445859 → EUR 90.44 (down). At mid: USD
		// 100.00 × 7.15 = CNY 715.00; EUR 90.44 × 7.80 = 705.432 → 705.43.
		// Income 715.00 − 705.43 = 9.57 (5.00 on the USD side, 90.44 ×
		// 0.05 = 4.522 on the EUR side, 0.046 of rounding).
		r, err := f.convert(f.usd, f.eur, "100.00", "cross-1")
		require.NoError(t, err)
		c := r.Conversion
		require.Equal(t, fx.Posted, c.Status)
		require.Equal(t, "100.00 USD", c.Pays.String())
		require.Equal(t, "90.44 EUR", c.Receives.String())
		require.Equal(t, fx.Sell, c.Side)
		require.Equal(t, "USD/CNY", c.Pair.String())
		require.True(t, c.Rate.Equal(d("7.10")) && c.Mid.Equal(d("7.15")))
		require.Equal(t, f.usdRate.ID, c.RateID)
		require.Equal(t, "715.00 CNY", c.HomeAtMid.String())
		require.Equal(t, "9.57 CNY", c.Income.String())
		require.NotNil(t, c.Cross)
		require.Equal(t, "EUR/CNY", c.Cross.Pair.String())
		require.True(t, c.Cross.CrossRate.Equal(d("0.90445859")), "cross rate %s", c.Cross.CrossRate)
		require.True(t, c.Cross.Rate.Equal(d("7.85")) && c.Cross.Mid.Equal(d("7.80")))
		require.Equal(t, eurRate.ID, c.Cross.RateID)
		require.Equal(t, "treasury", c.Cross.Source)
		require.True(t, c.Cross.PublishedAt.Equal(eurRate.PublishedAt))
		require.Equal(t, "90.44 EUR", c.Cross.Foreign.String())
		require.Equal(t, "705.43 CNY", c.Cross.HomeAtMid.String())
		again, err := f.fx.Conversion(f.Ctx, c.ID)
		require.NoError(t, err)
		require.NotNil(t, again.Cross, "the store keeps the second leg")
		require.True(t, again.Cross.CrossRate.Equal(c.Cross.CrossRate))

		// The entry balances in each of its three currencies and records
		// both legs' rates, sources and times.
		e, err := f.Svc.Entry(f.Ctx, c.EntryID)
		require.NoError(t, err)
		posUSD, posEUR, posCNY := f.chartID(money.USD, fx.CodePosition), f.chartID(money.EUR, fx.CodePosition), f.chartID(money.CNY, fx.CodePosition)
		require.ElementsMatch(t, postingsOf([]ledger.Posting{
			{AccountID: f.usd.ID, Side: ledger.Debit, Amount: m("100.00", money.USD)},
			{AccountID: posUSD, Side: ledger.Credit, Amount: m("100.00", money.USD)},
			{AccountID: posEUR, Side: ledger.Debit, Amount: m("90.44", money.EUR)},
			{AccountID: f.eur.ID, Side: ledger.Credit, Amount: m("90.44", money.EUR)},
			{AccountID: posCNY, Side: ledger.Debit, Amount: m("9.57", money.CNY)},
			{AccountID: f.chartID(money.CNY, fx.CodeIncome), Side: ledger.Credit, Amount: m("9.57", money.CNY)},
		}), postingsOf(e.Postings))
		require.Equal(t, "USD/EUR", e.Metadata["fx.pair"])
		require.Equal(t, "0.90445859", e.Metadata["fx.rate"])
		require.Equal(t, "7.1", e.Metadata["fx.sold_rate"])
		require.Equal(t, "7.85", e.Metadata["fx.bought_rate"])
		require.Equal(t, "treasury", e.Metadata["fx.bought_rate_source"])
		require.Equal(t, eurRate.PublishedAt.UTC().Format(time.RFC3339Nano), e.Metadata["fx.bought_rate_time"])
		require.Equal(t, f.usdRate.PublishedAt.UTC().Format(time.RFC3339Nano), e.Metadata["fx.sold_rate_time"])

		// Positions: long USD 100.00, short EUR 90.44; the home position
		// keeps only the spread. alice's quota is not charged: no CNY.
		require.Equal(t, "100.00", f.position(money.USD).Open.ValueString())
		require.Equal(t, "-90.44", f.position(money.EUR).Open.ValueString())
		require.Equal(t, "-9.57", f.position(money.CNY).Open.ValueString())
		require.Equal(t, "9.57", f.chartBalance(money.CNY, fx.CodeIncome))
		f.RequireBalance(f.usd.ID, "99900.00")
		f.RequireBalance(f.eur.ID, "1090.44")
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.Amount.IsZero(), "a cross conversion is not 结售汇: used %s", used)
		f.requireTotals(money.USD, "100.00", "715.00", "9.57")
		f.requireTotals(money.EUR, "-90.44", "-705.43", "0")
		f.requireReconciled()

		// Revaluation of both legs at the closing mids: USD 100.00 × 7.20 =
		// 720.00, a gain of 5.00; EUR −90.44 × 7.70 = −696.388 → −696.39
		// against −705.43 carried, a gain of 9.04.
		f.publish("USD/CNY", "7.20", "7.15", "7.25", opening.Add(8*time.Hour), f.Today)
		f.publish("EUR/CNY", "7.70", "7.65", "7.75", opening.Add(8*time.Hour), f.Today)
		revs, err := f.fx.Revalue(f.Ctx, f.Today)
		require.NoError(t, err)
		require.Len(t, revs, 2)
		require.Equal(t, money.EUR, revs[0].Currency)
		require.True(t, revs[0].Gain.Equal(d("9.04")), "EUR gain %s", revs[0].Gain)
		require.True(t, revs[1].Gain.Equal(d("5.00")), "USD gain %s", revs[1].Gain)
		f.requireTotals(money.USD, "100.00", "720.00", "9.57")
		f.requireTotals(money.EUR, "-90.44", "-696.39", "0")
		f.requireReconciled()
		f.RequireTrialBalanced()
	}},
	{Name: "a cross quote fixes both legs; a cross without one of its rates is refused", Run: func(t *testing.T, f *fixture) {
		_, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{Pays: m("100.00", money.USD), Receive: money.EUR})
		require.ErrorIs(t, err, fx.ErrNoRate, "no EUR/CNY rate is published")
		require.ErrorContains(t, err, "EUR/CNY")
		_, err = f.convert(f.usd, f.eur, "100.00", "")
		require.ErrorIs(t, err, fx.ErrNoRate)
		f.RequireBalance(f.usd.ID, "100000.00")

		f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening.Add(time.Minute), f.Today)
		q, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{OwnerID: "alice", Pays: m("100.00", money.USD), Receive: money.EUR})
		require.NoError(t, err)
		require.Equal(t, "90.44 EUR", q.Receives.String())
		require.NotNil(t, q.Cross)
		require.True(t, q.Cross.CrossRate.Equal(d("0.90445859")))
		// The board moves; the quote's rates hold.
		f.publish("EUR/CNY", "7.90", "7.85", "7.95", f.Clock.Now().Add(-time.Second), f.Today)
		r, err := f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.eur.ID, Amount: m("100.00", money.USD), QuoteID: q.ID})
		require.NoError(t, err)
		require.Equal(t, "90.44 EUR", r.Conversion.Receives.String())
		require.Equal(t, "9.57 CNY", r.Conversion.Income.String())
		require.Equal(t, q.ID, r.Conversion.QuoteID)
		// Without the quote the new board applies: 7.10 / 7.95 =
		// 0.89308176… → 0.89308176; × 100.00 → EUR 89.30.
		r, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.eur.ID, Amount: m("100.00", money.USD)})
		require.NoError(t, err)
		require.Equal(t, "89.30 EUR", r.Conversion.Receives.String())
		// A quote for EUR does not serve a conversion into CNY.
		q2, err := f.fx.Quote(f.Ctx, fx.QuoteRequest{Pays: m("1.00", money.USD), Receive: money.EUR})
		require.NoError(t, err)
		_, err = f.fx.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("1.00", money.USD), QuoteID: q2.ID})
		requireField(t, err, ledger.ErrInvalidInput, "quote_id")
		f.requireReconciled()
		f.RequireTrialBalanced()
	}},
	{Name: "running totals under concurrent conversions equal the sum of the conversions and the position accounts", Run: func(t *testing.T, f *fixture) {
		f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening.Add(time.Minute), f.Today)
		bob := struct{ cny, usd, eur ledger.Account }{
			f.open("bob", money.CNY, "100000.00"), f.open("bob", money.USD, "100000.00"), f.open("bob", money.EUR, "100000.00")}
		type job struct {
			from, to ledger.Account
			amount   string
		}
		var jobs []job
		for i := 0; i < 24; i++ {
			amount := decimal.New(int64(i)*731+1009, -2).StringFixed(2) // 10.09, 17.40, ...
			switch i % 6 {
			case 0:
				jobs = append(jobs, job{f.usd, f.cny, amount})
			case 1:
				jobs = append(jobs, job{f.cny, f.usd, amount})
			case 2:
				jobs = append(jobs, job{f.usd, f.eur, amount})
			case 3:
				jobs = append(jobs, job{bob.eur, bob.usd, amount})
			case 4:
				jobs = append(jobs, job{bob.eur, bob.cny, amount})
			default:
				jobs = append(jobs, job{bob.cny, bob.eur, amount})
			}
		}
		results := make([]fx.Conversion, len(jobs))
		errs := make([]error, len(jobs))
		var wg sync.WaitGroup
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.convert(j.from, j.to, j.amount, "")
				results[i], errs[i] = r.Conversion, err
			}()
		}
		wg.Wait()
		want := map[money.Currency]*fx.Totals{}
		for i, c := range results {
			require.NoError(t, errs[i])
			for _, e := range c.Effects() {
				w, ok := want[e.Currency]
				if !ok {
					w = &fx.Totals{Currency: e.Currency}
					want[e.Currency] = w
				}
				w.Position, w.Carrying, w.Income = w.Position.Add(e.Position), w.Carrying.Add(e.Carrying), w.Income.Add(e.Income)
			}
		}
		require.Len(t, want, 2)
		var income decimal.Decimal
		for cur, w := range want {
			f.requireTotals(cur, w.Position.String(), w.Carrying.String(), w.Income.String())
			require.True(t, f.position(cur).Open.Amount.Equal(w.Position), "%s position account %s, conversions sum to %s", cur, f.position(cur).Open, w.Position)
			income = income.Add(w.Income)
		}
		inc, err := f.fx.Income(f.Ctx)
		require.NoError(t, err)
		require.True(t, inc.Amount.Equal(income), "income %s, conversions sum to %s", inc, income)
		f.requireReconciled()
		f.RequireTrialBalanced()
	}},
}

// chartID is a chart account's id.
func (f *fixture) chartID(c money.Currency, code string) ledger.ID {
	f.T.Helper()
	a, err := f.Svc.ChartAccount(f.Ctx, c, code)
	require.NoError(f.T, err)
	return a.ID
}

// postingsOf returns postings as "account side amount" lines, amounts
// in their currency's minor unit, to compare across backends.
func postingsOf(ps []ledger.Posting) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.AccountID.String() + " " + string(p.Side) + " " + p.Amount.String()
	}
	return out
}
