package refserver

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

// requireRefused checks a problem answer: its status, type and the field
// it names.
func requireRefused(t *testing.T, r resp, status int, problem, field string) {
	t.Helper()
	require.Equal(t, status, r.status, string(r.raw))
	require.Equal(t, problem, r.problemType(), string(r.raw))
	errs, _ := r.body["errors"].([]any)
	require.NotEmpty(t, errs, string(r.raw))
	require.Equal(t, field, errs[0].(map[string]any)["field"], string(r.raw))
}

// Every amount the API takes is bounded by money.MaxAmount: above it is a
// 400 naming the field, on both storages; a balance stops at it (422).
func TestAmountsAreBounded(t *testing.T) {
	largest := money.MaxAmount(money.CNY).ValueString() // 999999999999.99
	huge := []string{"1000000000000.00", "1" + strings.Repeat("0", 20), "1" + strings.Repeat("0", 38), "1" + strings.Repeat("0", 100)}
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			a1, a2 := b.openAccount(teller, alice), b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("100.00")}))
			hold := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": a1, "amount": cny("10.00")}))
			for _, v := range huge {
				for path, body := range map[string]map[string]any{
					"/v1/deposits":    {"account_id": a2, "amount": cny(v)},
					"/v1/withdrawals": {"account_id": a1, "amount": cny(v)},
					"/v1/transfers":   {"from_account_id": a1, "to_account_id": a2, "amount": cny(v)},
					"/v1/holds":       {"account_id": a1, "amount": cny(v)},
					"/v1/holds/" + hold.str("id") + "/capture": {"to_account_id": a2, "amount": cny(v)},
				} {
					requireRefused(t, b.do("POST", path, teller, body), 400, "invalid-input", "amount")
				}
				requireRefused(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "amount": cny(v),
					"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"}}),
					400, "invalid-input", "amount")
				requireRefused(t, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "time", "currency": "CNY",
					"term_months": 12, "principal": cny(v), "funding_account_id": a1}), 400, "invalid-input", "principal")
			}
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a2, "amount": cny(largest)}))
			requireRefusedWithoutField(t, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a2, "amount": cny("0.01")}), 422, "balance-limit")
			requireRefusedWithoutField(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "to_account_id": a2, "amount": cny("0.01")}), 422, "balance-limit")
			require.Equal(t, largest, b.must(200, b.do("GET", "/v1/accounts/"+a2, teller, nil)).str("balance", "value"))
			require.Equal(t, "100.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
		})
	}
}

func requireRefusedWithoutField(t *testing.T, r resp, status int, problem string) {
	t.Helper()
	require.Equal(t, status, r.status, string(r.raw))
	require.Equal(t, problem, r.problemType(), string(r.raw))
}

// A NUL or another control character in a body's text, a query value or a
// path value is refused naming the field, on both storages alike (before
// the rule, PostgreSQL answered 500 where memory stored the NUL).
func TestControlCharactersAreRefused(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			a1 := b.openAccount(teller, alice)
			for _, bad := range []string{"rent\x00", "\x00", "a\x1bb", "c1\u0085"} {
				requireRefused(t, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1.00"), "description": bad}),
					400, "invalid-input", "description")
				requireRefused(t, b.do("POST", "/v1/customers/"+alice+"/complaints", teller, map[string]any{"category": "fees",
					"description": bad, "channel": "branch"}), 400, "invalid-input", "description")
				q := url.QueryEscape(bad)
				requireRefused(t, b.do("GET", "/v1/accounts?customer_id="+q, teller, nil), 400, "invalid-input", "customer_id")
				requireRefused(t, b.do("GET", "/v1/customers?name="+q, teller, nil), 400, "invalid-input", "name")
				requireRefused(t, b.do("GET", "/v1/customers?phone="+q, teller, nil), 400, "invalid-input", "phone")
				requireRefused(t, b.do("GET", "/v1/accounts/"+url.PathEscape(bad), teller, nil), 404, "not-found", "id")
				requireRefused(t, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1, "amount": cny("1.00"),
					"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei" + bad}}),
					400, "invalid-input", "to_external.name")
			}
			require.Equal(t, "0.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			// Line breaks and tabs are text in a complaint, not in a deposit.
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/complaints", teller, map[string]any{"category": "fees",
				"description": "charged twice:\n\t12 March\n\t13 March", "channel": "branch"}))
			requireRefused(t, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1.00"), "description": "two\nlines"}),
				400, "invalid-input", "description")
		})
	}
}
