package refserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func usd(v string) map[string]any { return map[string]any{"value": v, "currency": "USD"} }

// TestFXOverHTTP runs the treasury's board, a customer's quote and
// conversion on their own accounts, the bank's positions and the
// end-of-day revaluation through the API, on both storages.
func TestFXOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, finance := b.staff("teller"), b.staff("finance")
			rate := map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.10", "sell": "7.20", "source": "treasury"}
			b.must(403, b.do("POST", "/v1/fx/rates", teller, rate))
			published := b.must(201, b.do("POST", "/v1/fx/rates", finance, rate))
			today := published.str("business_date")
			require.Equal(t, "USD/CNY", published.str("pair"))
			require.Equal(t, "invalid-input", b.do("POST", "/v1/fx/rates", finance,
				map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.16", "sell": "7.20", "source": "treasury"}).problemType())

			alice, bob := b.onboard(teller), b.onboard(teller)
			aliceCNY := b.openAccount(teller, alice)
			aliceUSD := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "USD"})).str("id")
			bobCNY := b.openAccount(teller, bob)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": aliceUSD, "amount": usd("1000.00")}))
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alicefx" + storage, "password": "alice's long password"}))
			token := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alicefx" + storage, "password": "alice's long password"})).str("token")

			board := b.must(200, b.do("GET", "/v1/fx/rates?pair=USD/CNY", token, nil))
			require.Equal(t, "7.15", board.body["in_force"].(map[string]any)["mid"])
			require.Len(t, board.body["published"], 1)

			q := b.must(201, b.do("POST", "/v1/fx/quotes", token, map[string]any{"pays": usd("100.00"), "receive": "CNY"}))
			require.Equal(t, "710.00", q.str("receives", "value"))
			conv := map[string]any{"from_account_id": aliceUSD, "to_account_id": aliceCNY, "amount": usd("100.00"), "quote_id": q.str("id")}
			require.Equal(t, "idempotency-key-required", b.do("POST", "/v1/fx/conversions", token, conv, "Idempotency-Key", "").problemType())
			c := b.must(201, b.do("POST", "/v1/fx/conversions", token, conv, "Idempotency-Key", "fx-1"))
			require.Equal(t, "710.00", c.str("receives", "value"))
			require.Equal(t, "5.00", c.str("spread_income", "value"))
			require.Equal(t, "posted", c.str("status"))
			again := b.must(201, b.do("POST", "/v1/fx/conversions", token, conv, "Idempotency-Key", "fx-1"))
			require.Equal(t, c.str("id"), again.str("id"))
			require.Equal(t, "fx-quote-used", b.do("POST", "/v1/fx/conversions", token, conv).problemType())

			// Someone else's account is not there for alice; her conversion
			// is not there for bob.
			other := map[string]any{"from_account_id": aliceUSD, "to_account_id": bobCNY, "amount": usd("1.00")}
			require.Equal(t, 404, b.do("POST", "/v1/fx/conversions", token, other).status)
			b.must(200, b.do("GET", "/v1/fx/conversions/"+c.str("id"), token, nil))
			b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bobfx" + storage, "password": "bob's long password"}))
			bobToken := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "bobfx" + storage, "password": "bob's long password"})).str("token")
			require.Equal(t, 404, b.do("GET", "/v1/fx/conversions/"+c.str("id"), bobToken, nil).status)
			require.Equal(t, "fx-no-rate", b.do("POST", "/v1/fx/quotes", token, map[string]any{"pays": cny("1.00"), "receive": "EUR"}).problemType())

			require.Equal(t, 403, b.do("GET", "/v1/fx/positions", token, nil).status)
			pos := b.must(200, b.do("GET", "/v1/fx/positions", finance, nil))
			require.Equal(t, "5.00", pos.str("spread_income", "value"))
			positions := pos.body["positions"].([]any)
			require.Len(t, positions, 2)
			require.Equal(t, "-715.00", positions[0].(map[string]any)["open"].(map[string]any)["value"])
			require.Equal(t, "100.00", positions[1].(map[string]any)["open"].(map[string]any)["value"])

			// The close: 100.00 at closing mid 7.20 is worth 720.00, 5.00
			// more than the 715.00 it is carried at.
			b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": "USD/CNY", "mid": "7.20", "buy": "7.15", "sell": "7.25", "source": "treasury close"}))
			b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			rv := b.must(200, b.do("GET", "/v1/fx/revaluations/"+today, finance, nil))
			revs := rv.body["revaluations"].([]any)
			require.Len(t, revs, 1)
			require.Equal(t, "5.00", revs[0].(map[string]any)["gain"].(map[string]any)["value"])
		})
	}
}

// TestFXEndOfDayWithoutClosingRate: a currency with an open position and
// no rate published for the business date stops end of day at the FX
// step with a named error that says which pair is missing; once the
// treasury publishes it, the same end of day finishes.
func TestFXEndOfDayWithoutClosingRate(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, finance := b.staff("teller"), b.staff("finance")
			for _, pair := range []string{"USD/CNY", "EUR/CNY"} {
				b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": pair, "mid": "7.15", "buy": "7.10", "sell": "7.20", "source": "treasury"}))
			}
			alice := b.onboard(teller)
			aliceCNY := b.openAccount(teller, alice)
			aliceUSD := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "USD"})).str("id")
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": aliceUSD, "amount": usd("100.00")}))
			b.must(201, b.do("POST", "/v1/fx/conversions", teller, map[string]any{"from_account_id": aliceUSD, "to_account_id": aliceCNY, "amount": usd("100.00")}, "Idempotency-Key", "eod-fx-1"))
			first := b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil)).str("business_date")

			// The next day: a position in USD, no USD/CNY rate for the date.
			r := b.do("POST", "/v1/end-of-day", testAdminToken, nil)
			require.Equal(t, 422, r.status, "%s", r.raw)
			require.Equal(t, "fx-no-closing-rate", r.problemType())
			require.Contains(t, r.str("detail"), "USD/CNY")
			require.NotContains(t, r.str("detail"), "EUR/CNY", "EUR has no position and needs no rate")
			today := b.must(200, b.do("GET", "/v1/business-date", finance, nil)).str("business_date")
			require.NotEqual(t, first, today)
			report := b.must(200, b.do("GET", "/v1/end-of-day/"+today, testAdminToken, nil))
			var fxStep map[string]any
			for _, s := range report.body["steps"].([]any) {
				if s.(map[string]any)["name"] == "fx.revaluation" {
					fxStep = s.(map[string]any)
				}
			}
			require.Equal(t, "failed", fxStep["status"])
			require.Contains(t, fxStep["error"], "USD/CNY")
			require.Equal(t, today, b.must(200, b.do("GET", "/v1/business-date", finance, nil)).str("business_date"), "the date does not advance past a failed step")

			b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": "USD/CNY", "mid": "7.20", "buy": "7.15", "sell": "7.25", "source": "treasury close"}))
			b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			revs := b.must(200, b.do("GET", "/v1/fx/revaluations/"+today, finance, nil)).body["revaluations"].([]any)
			require.Len(t, revs, 1)
			// 100.00 × 7.20 = 720.00 against 715.00 carried: a gain of 5.00.
			require.Equal(t, "5.00", revs[0].(map[string]any)["gain"].(map[string]any)["value"])
		})
	}
}

// TestFXCrossOverHTTP: a conversion between two foreign currencies is
// priced through CNY and shows both legs; the running totals reconcile
// with the conversions.
func TestFXCrossOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, finance := b.staff("teller"), b.staff("finance")
			b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.10", "sell": "7.20", "source": "treasury"}))
			b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": "EUR/CNY", "mid": "7.80", "buy": "7.75", "sell": "7.85", "source": "treasury eur"}))
			alice := b.onboard(teller)
			aliceUSD := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "USD"})).str("id")
			aliceEUR := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "EUR"})).str("id")
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": aliceUSD, "amount": usd("100.00")}))

			q := b.must(201, b.do("POST", "/v1/fx/quotes", teller, map[string]any{"pays": usd("100.00"), "receive": "EUR"}))
			require.Equal(t, "90.44", q.str("receives", "value"))
			require.Equal(t, "0.90445859", q.str("cross", "cross_rate"))
			// USD 100.00 × (7.10 / 7.85 → 0.90445859) = 90.445859 → EUR 90.44;
			// income 100.00 × 7.15 − 90.44 × 7.80 → 715.00 − 705.43 = 9.57.
			c := b.must(201, b.do("POST", "/v1/fx/conversions", teller, map[string]any{"from_account_id": aliceUSD, "to_account_id": aliceEUR,
				"amount": usd("100.00"), "quote_id": q.str("id")}, "Idempotency-Key", "cross-1"))
			require.Equal(t, "90.44", c.str("receives", "value"))
			require.Equal(t, "EUR", c.str("receives", "currency"))
			require.Equal(t, "9.57", c.str("spread_income", "value"))
			require.Equal(t, "USD/CNY", c.str("pair"))
			require.Equal(t, "7.1", c.str("rate"))
			require.Equal(t, "EUR/CNY", c.str("cross", "pair"))
			require.Equal(t, "7.85", c.str("cross", "rate"))
			require.Equal(t, "treasury eur", c.str("cross", "rate_source"))
			require.Equal(t, "705.43", c.str("cross", "home_at_mid", "value"))
			require.Equal(t, "90.44", b.must(200, b.do("GET", "/v1/accounts/"+aliceEUR, teller, nil)).str("balance", "value"))

			pos := b.must(200, b.do("GET", "/v1/fx/positions", finance, nil))
			require.Equal(t, "9.57", pos.str("spread_income", "value"))
			require.Equal(t, 403, b.do("GET", "/v1/fx/totals/reconciliation", teller, nil).status)
			rec := b.must(200, b.do("GET", "/v1/fx/totals/reconciliation", finance, nil))
			require.Equal(t, true, rec.body["reconciled"])
			require.Empty(t, rec.body["differences"])
		})
	}
}

// A conversion takes the caller's external reference: its entry carries it
// (found with GET /v1/transfers?external_ref=), and the reference again
// is 409 external-ref-taken, with nothing converted.
func TestFXConversionExternalRef(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, finance := b.staff("teller"), b.staff("finance")
			b.must(201, b.do("POST", "/v1/fx/rates", finance, map[string]any{"pair": "USD/CNY", "mid": "7.15", "buy": "7.10", "sell": "7.20", "source": "treasury"}))
			alice := b.onboard(teller)
			cny := b.openAccount(teller, alice)
			usdAcct := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "USD"})).str("id")
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": usdAcct, "amount": usd("1000.00")}))

			conv := map[string]any{"from_account_id": usdAcct, "to_account_id": cny, "amount": usd("100.00"), "external_ref": "fx-order-7"}
			c := b.must(201, b.do("POST", "/v1/fx/conversions", teller, conv))
			require.Equal(t, "fx-order-7", c.str("external_ref"))
			found := b.must(200, b.do("GET", "/v1/transfers?external_ref=fx-order-7", teller, nil)).body["items"].([]any)
			require.Len(t, found, 1)
			require.Equal(t, c.str("entry_id"), found[0].(map[string]any)["id"], "the conversion's entry, found by the reference")

			again := b.do("POST", "/v1/fx/conversions", teller, conv)
			require.Equal(t, 409, again.status, string(again.raw))
			require.Equal(t, "external-ref-taken", again.problemType())
			require.Equal(t, "900.00", b.must(200, b.do("GET", "/v1/accounts/"+usdAcct, teller, nil)).str("balance", "value"), "converted once")
		})
	}
}
