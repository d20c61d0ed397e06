package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// TestPaymentsOutAndCapturesAreScreened: a payment to another bank and
// the capture of a hold pass risk's screening like a transfer: a block
// refuses them (422 screening-refused) with nothing moved; what passes is
// decided and kept, a payment out as kind payment_out to an external
// party with its country.
func TestPaymentsOutAndCapturesAreScreened(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := newBank(t, storage)
			teller, officer := b.staff("teller"), b.staff("risk_officer")
			from, to := b.openAccount(teller, b.onboard(teller)), b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": cny("40000.00")}))
			hold := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": from, "amount": cny("20000.00")}))
			rules := map[string]any{"rules": []any{
				map[string]any{"name": "big", "expr": "amount >= 10000", "score": 100},
				map[string]any{"name": "abroad", "expr": `kind == "payment_out" && cross_border`, "score": 50},
			}, "thresholds": map[string]any{"review": 40, "block_and_review": 90}}
			v := b.must(201, b.do("POST", "/v1/risk/rule-sets", officer, rules))
			b.must(200, b.do("POST", "/v1/risk/rule-sets/"+v.str("id")+"/publish", officer, nil))
			balance := func() string {
				return b.must(200, b.do("GET", "/v1/accounts/"+from, teller, nil)).body["balance"].(map[string]any)["value"].(string)
			}
			before := balance()

			out := func(amount, bankCode string) resp {
				return b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "amount": cny(amount),
					"to_external": map[string]any{"bank_code": bankCode, "account_number": "6222000011112222", "name": "Li Wei"}})
			}
			r := out("15000.00", "0102")
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "screening-refused", r.problemType())
			require.Equal(t, before, balance(), "a refused payment out debits nothing")

			// Small and domestic: approved; abroad (a BIC in HK): reviewed.
			b.must(201, out("100.00", "0102"))
			b.must(201, out("200.00", "HSBCHKHHXXX"))
			ds, err := b.srv.riskState.svc.Decisions(ctx, risk.DecisionFilter{Limit: 10})
			require.NoError(t, err)
			var kinds []string
			var abroad *risk.Decision
			for i, d := range ds {
				kinds = append(kinds, string(d.Transaction.Kind))
				if d.Transaction.To.Country == "HK" {
					abroad = &ds[i]
				}
			}
			require.Contains(t, kinds, "payment_out")
			require.NotNil(t, abroad, "the external party's country is screened: %v", kinds)
			require.True(t, abroad.Transaction.To.External)
			require.Equal(t, risk.Review, abroad.Outcome)

			// The capture of a 20,000 hold is blocked; the hold stays.
			r = b.do("POST", "/v1/holds/"+hold.str("id")+"/capture", teller, map[string]any{"to_account_id": to})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "screening-refused", r.problemType())
			require.Equal(t, "active", b.must(200, b.do("GET", "/v1/holds/"+hold.str("id"), teller, nil)).str("status"))
			// A part of it under the limit is captured.
			b.must(201, b.do("POST", "/v1/holds/"+hold.str("id")+"/capture", teller, map[string]any{"to_account_id": to, "amount": cny("500.00")}))
		})
	}
}

// TestFXRatesPortCrossesThroughTheHomeCurrency: risk's FXRates port reads
// the ledger's published rates (quoted in CNY) and crosses them; a
// currency with no rate published is an error.
func TestFXRatesPortCrossesThroughTheHomeCurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBank(t, "memory")
	at := b.srv.clock.Now().Add(-time.Minute)
	for c, mid := range map[money.Currency]string{money.USD: "7.10", money.EUR: "7.81"} {
		m := decimal.RequireFromString(mid)
		_, err := b.srv.fx.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: c, Quote: money.CNY}, Mid: m, Buy: m, Sell: m,
			Source: "test", PublishedAt: at})
		require.NoError(t, err)
	}
	p := fxRatesPort{b.srv}
	r, err := p.Rate(ctx, money.EUR, money.USD, b.srv.clock.Now())
	require.NoError(t, err)
	require.Equal(t, "1.1", r.String())
	r, err = p.Rate(ctx, money.CNY, money.USD, b.srv.clock.Now())
	require.NoError(t, err)
	require.Equal(t, "0.1408450704", r.String())
	_, err = p.Rate(ctx, money.JPY, money.USD, b.srv.clock.Now())
	require.Error(t, err)
}
