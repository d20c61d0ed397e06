package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

// wealthProductBody is a valid open-ended product: R2, 1.5% to subscribe,
// no cooling-off, T+1, minimum 1,000.00 then 100.00 in steps of 100.00.
func wealthProductBody(code string) map[string]any {
	return map[string]any{"code": code, "name": "Steady Growth " + code, "issuer": "Bankkit Wealth Co.", "currency": "CNY",
		"type": "open_ended", "risk": 2, "min_first": cny("1000.00"), "min_additional": cny("100.00"), "step": cny("100.00"),
		"subscription_fee": "0.015", "settlement_days": 1, "cooling_off_hours": 0,
		"redemption_fees": []map[string]any{{"min_days": 0, "rate": "0.005"}, {"min_days": 7, "rate": "0"}}}
}

// TestWealthOverHTTP takes a customer through the wealth API on both
// storages: the desk lists a product and publishes NAVs; the customer
// answers the questionnaire (C3), subscribes 10,000.00 with their own
// token (held at once), which end of day confirms at 1.0250 — net
// 9,852.22, fee 147.78, 9,611.92 units — and redeems 1,000 units at
// 1.0300 (held under 7 days: 0.5%, so gross 1,030.00, fee 5.15, proceeds
// 1,024.85), paid T+1. Another customer sees none of it (404); the books
// reconcile with the ledger.
func TestWealthOverHTTP(t *testing.T) {
	t.Parallel()
	for _, storage := range []string{"memory", "postgres"} {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			clock := calendar.NewManualClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
			b := newBankWithClock(t, storage, clock)
			login := func(user, password string) string {
				return b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": password})).str("token")
			}
			for _, role := range []string{"wealth_ops", "teller", "admin"} {
				b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "w" + strings.ReplaceAll(role, "_", ""),
					"password": "correct horse battery", "roles": []string{role}}))
			}
			ops, teller, admin := login("wwealthops", "correct horse battery"), login("wteller", "correct horse battery"), login("wadmin", "correct horse battery")
			// day moves the clock to 02:00 on date and logs everyone in
			// again (a customer's token lasts 30 minutes).
			var aliceToken, bobToken string
			day := func(date string) {
				d := calendar.MustParseDate(date)
				clock.Set(time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC))
				ops, teller, admin = login("wwealthops", "correct horse battery"), login("wteller", "correct horse battery"), login("wadmin", "correct horse battery")
				aliceToken, bobToken = login("alicew", "alice's long password"), login("bobw", "bob's long password")
			}
			alice := b.onboard(teller)
			acct := b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": acct, "amount": cny("20000.00")}))
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alicew", "password": "alice's long password"}))
			aliceToken = login("alicew", "alice's long password")
			bob := b.onboard(teller)
			b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bobw", "password": "bob's long password"}))
			bobToken = login("bobw", "bob's long password")

			p := b.must(201, b.do("POST", "/v1/wealth/products", ops, wealthProductBody("HTTP1")))
			pid := p.str("id")
			require.Equal(t, "R2", p.str("risk"))
			require.Equal(t, "open", p.str("status"))
			b.must(403, b.do("POST", "/v1/wealth/products", teller, wealthProductBody("HTTP2")))
			r := b.must(400, b.do("POST", "/v1/wealth/products", ops, map[string]any{"code": "bad code"}))
			require.Equal(t, "https://bankkit.dev/problems/invalid-input", r.str("type"))

			// Buying before an assessment is refused, and recorded.
			sub := map[string]any{"customer_id": alice, "product_id": pid, "account_id": acct, "amount": cny("10000.00")}
			r = b.must(422, b.do("POST", "/v1/wealth/subscriptions", aliceToken, sub))
			require.Equal(t, "https://bankkit.dev/problems/unsuitable", r.str("type"))
			q := b.must(200, b.do("GET", "/v1/wealth/questionnaire", aliceToken, nil))
			require.NotEmpty(t, q.body["questions"])
			a := b.must(201, b.do("POST", "/v1/customers/"+alice+"/wealth/assessment", aliceToken, map[string]any{"answers": wealthtest.AnswersFor(3)}))
			require.Equal(t, "C3", a.str("level"))
			require.Equal(t, "2027-03-02", a.str("expires"))
			require.Len(t, a.body["refusals"], 1)
			b.must(404, b.do("GET", "/v1/customers/"+alice+"/wealth/assessment", bobToken, nil))

			// Subscribe: an Idempotency-Key is required; a replay answers
			// the first order.
			b.must(400, b.do("POST", "/v1/wealth/subscriptions", aliceToken, sub, "Idempotency-Key", ""))
			o := b.must(201, b.do("POST", "/v1/wealth/subscriptions", aliceToken, sub, "Idempotency-Key", "buy-1"))
			again := b.do("POST", "/v1/wealth/subscriptions", aliceToken, sub, "Idempotency-Key", "buy-1")
			require.Equal(t, 201, again.status)
			require.Equal(t, o.str("id"), again.str("id"))
			require.Equal(t, "pending", o.str("status"))
			require.Equal(t, "2026-03-02", o.str("trade_date"))
			require.Equal(t, "10000.00", b.must(200, b.do("GET", "/v1/accounts/"+acct, aliceToken, nil)).str("available_balance", "value"))
			b.must(404, b.do("GET", "/v1/wealth/orders/"+o.str("id"), bobToken, nil))
			b.must(404, b.do("POST", "/v1/wealth/orders/"+o.str("id")+"/cancel", bobToken, nil))
			b.must(404, b.do("POST", "/v1/wealth/subscriptions", bobToken, sub))
			b.must(404, b.do("GET", "/v1/customers/"+alice+"/wealth/holdings", bobToken, nil))

			// The NAV, then the bank's end of day.
			b.must(201, b.do("POST", "/v1/wealth/products/"+pid+"/navs", ops, map[string]any{"date": "2026-03-02", "nav": "1.0250"}))
			r = b.must(409, b.do("POST", "/v1/wealth/products/"+pid+"/navs", ops, map[string]any{"date": "2026-03-02", "nav": "1.0300"}))
			require.Equal(t, "https://bankkit.dev/problems/duplicate", r.str("type"))
			b.must(400, b.do("POST", "/v1/wealth/products/"+pid+"/navs", ops, map[string]any{"date": "2026-03-03", "nav": "0"}))
			b.must(200, b.do("POST", "/v1/end-of-day", admin, map[string]any{}))
			o = b.must(200, b.do("GET", "/v1/wealth/orders/"+o.str("id"), aliceToken, nil))
			require.Equal(t, "confirmed", o.str("status"))
			require.Equal(t, "9852.22", o.str("net", "value"))
			require.Equal(t, "147.78", o.str("fee", "value"))
			require.Equal(t, "9611.92", o.str("units"))
			h := b.must(200, b.do("GET", "/v1/customers/"+alice+"/wealth/holdings?date=2026-03-02", aliceToken, nil))
			require.Len(t, h.body["items"], 1)

			// Redeem 1,000 units on 03-03 at 1.0300.
			day("2026-03-03")
			red := map[string]any{"customer_id": alice, "product_id": pid, "account_id": acct, "units": "1000"}
			ro := b.must(201, b.do("POST", "/v1/wealth/redemptions", aliceToken, red))
			r = b.must(422, b.do("POST", "/v1/wealth/redemptions", aliceToken, map[string]any{"customer_id": alice, "product_id": pid, "account_id": acct, "units": "9000"}))
			require.Equal(t, "https://bankkit.dev/problems/insufficient-units", r.str("type"))
			b.must(201, b.do("POST", "/v1/wealth/products/"+pid+"/navs", ops, map[string]any{"date": "2026-03-03", "nav": "1.0300"}))
			b.must(200, b.do("POST", "/v1/end-of-day", admin, map[string]any{}))
			ro = b.must(200, b.do("GET", "/v1/wealth/orders/"+ro.str("id"), aliceToken, nil))
			require.Equal(t, "confirmed", ro.str("status"))
			require.Equal(t, "1030.00", ro.str("gross", "value"))
			require.Equal(t, "5.15", ro.str("fee", "value"))
			require.Equal(t, "1024.85", ro.str("proceeds", "value"))
			require.Equal(t, "2026-03-04", ro.str("settlement_date"))
			day("2026-03-04")
			b.must(200, b.do("POST", "/v1/end-of-day", admin, map[string]any{}))
			require.Equal(t, "paid", b.must(200, b.do("GET", "/v1/wealth/orders/"+ro.str("id"), aliceToken, nil)).str("status"))
			require.Equal(t, "11024.85", b.must(200, b.do("GET", "/v1/accounts/"+acct, aliceToken, nil)).str("balance", "value"))

			st := b.must(200, b.do("GET", "/v1/customers/"+alice+"/wealth/statements/2026-03", aliceToken, nil))
			require.Equal(t, "text/html; charset=utf-8", st.header.Get("Content-Type"))
			require.Contains(t, string(st.raw), "Wealth statement 2026-03")
			pdf := b.must(200, b.do("GET", "/v1/customers/"+alice+"/wealth/statements/2026-03?format=pdf", aliceToken, nil))
			require.Equal(t, "application/pdf", pdf.header.Get("Content-Type"))
			require.Equal(t, "%PDF-", string(pdf.raw[:5]))
			b.must(404, b.do("GET", "/v1/customers/"+alice+"/wealth/statements/2026-03", bobToken, nil))
			b.must(400, b.do("GET", "/v1/customers/"+alice+"/wealth/statements/2026-03?format=doc", aliceToken, nil))
			b.must(400, b.do("GET", "/v1/customers/"+alice+"/wealth/statements/March", aliceToken, nil))
			orders := b.must(200, b.do("GET", "/v1/customers/"+alice+"/wealth/orders", aliceToken, nil))
			require.Len(t, orders.body["items"], 2)
			rec := b.must(200, b.do("GET", "/v1/wealth/reconciliation", ops, nil))
			require.Equal(t, true, rec.body["agrees"], string(rec.raw))
			b.must(403, b.do("GET", "/v1/wealth/reconciliation", aliceToken, nil))
			tb := b.must(200, b.do("GET", "/v1/reports/trial-balance", admin, nil))
			require.NotContains(t, string(tb.raw), `"difference":{"value":"-`)

			// Professional-only products are hidden from alice until certified.
			pro := wealthProductBody("PRO1")
			pro["professional_only"] = true
			proID := b.must(201, b.do("POST", "/v1/wealth/products", ops, pro)).str("id")
			b.must(404, b.do("GET", "/v1/wealth/products/"+proID, aliceToken, nil))
			list := b.must(200, b.do("GET", "/v1/wealth/products", aliceToken, nil))
			require.Len(t, list.body["items"], 1)
			b.must(200, b.do("POST", "/v1/customers/"+alice+"/wealth/professional", ops, map[string]any{"professional": true}))
			b.must(200, b.do("GET", "/v1/wealth/products/"+proID, aliceToken, nil))
		})
	}
}

// wealthRequestExamples are valid requests to the wealth routes with a
// JSON body, for the required-fields test.
func wealthRequestExamples(b *testBank) map[string]example {
	admin := testAdminToken
	product := func(mod func(map[string]any)) string {
		body := wealthProductBody(fmt.Sprintf("EX%d", keySeq.Add(1)))
		body["risk"] = 1
		body["min_first"], body["min_additional"], body["step"] = cny("100.00"), cny("1.00"), cny("1.00")
		if mod != nil {
			mod(body)
		}
		return b.must(201, b.do("POST", "/v1/wealth/products", admin, body)).str("id")
	}
	buyer := func() (string, string) {
		c := b.onboard(admin)
		a := b.openAccount(admin, c)
		b.must(201, b.do("POST", "/v1/deposits", admin, map[string]any{"account_id": a, "amount": cny("500.00")}))
		b.must(201, b.do("POST", "/v1/customers/"+c+"/wealth/assessment", admin, map[string]any{"answers": wealthtest.AnswersFor(1)}))
		return c, a
	}
	return map[string]example{
		"POST /v1/wealth/products": func() (string, map[string]any, []string) {
			return "/v1/wealth/products", wealthProductBody(fmt.Sprintf("EXP%d", keySeq.Add(1))), nil
		},
		"POST /v1/wealth/products/{id}/status": func() (string, map[string]any, []string) {
			return "/v1/wealth/products/" + product(nil) + "/status", map[string]any{"status": "paused"}, nil
		},
		"POST /v1/wealth/products/{id}/navs": func() (string, map[string]any, []string) {
			id := product(func(m map[string]any) {
				m["type"], m["income_mode"], m["subscription_fee"], m["redemption_fees"] = "cash_management", "reinvest", "0", []any{}
			})
			return "/v1/wealth/products/" + id + "/navs", map[string]any{"date": "2026-03-02", "income_per_10k": "0.5"}, nil
		},
		"POST /v1/customers/{id}/wealth/assessment": func() (string, map[string]any, []string) {
			return "/v1/customers/" + b.onboard(admin) + "/wealth/assessment", map[string]any{"answers": wealthtest.AnswersFor(2)}, nil
		},
		"POST /v1/customers/{id}/wealth/professional": func() (string, map[string]any, []string) {
			c, _ := buyer()
			return "/v1/customers/" + c + "/wealth/professional", map[string]any{"professional": true}, nil
		},
		"POST /v1/wealth/subscriptions": func() (string, map[string]any, []string) {
			c, a := buyer()
			return "/v1/wealth/subscriptions", map[string]any{"customer_id": c, "product_id": product(nil), "account_id": a, "amount": cny("100.00")}, nil
		},
		"POST /v1/wealth/redemptions": func() (string, map[string]any, []string) {
			c, a := buyer()
			pid := product(nil)
			o := b.must(201, b.do("POST", "/v1/wealth/subscriptions", admin, map[string]any{"customer_id": c, "product_id": pid, "account_id": a, "amount": cny("200.00")}))
			trade := calendar.MustParseDate(o.str("trade_date"))
			id, err := wealth.ParseID(pid)
			require.NoError(b.t, err)
			_, err = b.srv.wealth.PublishNAV(b.t.Context(), wealth.NAVRequest{ProductID: id, Date: trade, Value: wealthtest.Dec("1.0000"), PublishedBy: "test"})
			require.NoError(b.t, err)
			_, err = b.srv.wealth.EndOfDay(b.t.Context(), trade)
			require.NoError(b.t, err)
			return "/v1/wealth/redemptions", map[string]any{"customer_id": c, "product_id": pid, "account_id": a, "units": "10"}, nil
		},
	}
}

// TestWealthDemo: -demo lists a product of every type, with NAV history,
// and holdings for demo customers that reconcile with the ledger.
func TestWealthDemo(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Demo: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	defer srv.Close()
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	login := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "wangfang", "password": DemoPassword}))
	tok, me := login.str("token"), login.str("subject", "id")
	products := b.must(200, b.do("GET", "/v1/wealth/products", tok, nil)).body["items"].([]any)
	types := map[string]bool{}
	for _, p := range products {
		types[p.(map[string]any)["type"].(string)] = true
	}
	require.Len(t, types, 3)
	growth := products[1].(map[string]any)["id"].(string)
	navs := b.must(200, b.do("GET", "/v1/wealth/products/"+growth+"/navs?from=2000-01-01&to=2000-12-31", tok, nil))
	require.Empty(t, navs.body["items"])
	p := b.must(200, b.do("GET", "/v1/wealth/products/"+growth, tok, nil))
	require.NotNil(t, p.body["latest_nav"])
	holdings := b.must(200, b.do("GET", "/v1/customers/"+me+"/wealth/holdings?date=2099-01-01", tok, nil)).body["items"].([]any)
	require.Len(t, holdings, 2)
	rec := b.must(200, b.do("GET", "/v1/wealth/reconciliation", testAdminToken, nil))
	require.Equal(t, true, rec.body["agrees"], string(rec.raw))
}

// TestWealthNAVFileUpload: the desk uploads an issuer's NAV file; every
// line is published, or none, with the line and column at fault named in
// the problem; a teller may not upload.
func TestWealthNAVFileUpload(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			clock := calendar.NewManualClock(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC))
			b := newBankWithClock(t, storage, clock)
			for _, role := range []string{"wealth_ops", "teller"} {
				b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "f" + strings.ReplaceAll(role, "_", ""),
					"password": "correct horse battery", "roles": []string{role}}))
			}
			login := func(user string) string {
				return b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "correct horse battery"})).str("token")
			}
			ops, teller := login("fwealthops"), login("fteller")
			pid := b.must(201, b.do("POST", "/v1/wealth/products", ops, wealthProductBody("FILE1"))).str("id")
			head := "product_code,date,nav,accumulated_nav,income_per_10k,yield_7d\n"
			good := head + "FILE1,2026-03-02,1.0250,1.1250,,\nFILE1,2026-03-03,1.0300,,,\n"
			b.must(403, b.upload("/v1/wealth/navs/file", teller, "text/csv", []byte(good)))
			requireRefused(t, b.upload("/v1/wealth/navs/file", ops, "text/csv", []byte(good+"FILE1,2026-03-04,0,,,\n")), 400, "invalid-input", "lines[4].nav")
			requireRefused(t, b.upload("/v1/wealth/navs/file", ops, "text/csv", []byte(head+"NOPE,2026-03-04,1,,,\n")), 400, "invalid-input", "lines[2].product_code")
			requireRefused(t, b.upload("/v1/wealth/navs/file", ops, "text/csv", nil), 400, "invalid-input", "body")
			navs := b.must(200, b.do("GET", "/v1/wealth/products/"+pid+"/navs?from=2026-03-01&to=2026-03-31", ops, nil))
			require.Empty(t, navs.body["items"], "nothing published by a refused file")
			r := b.must(201, b.upload("/v1/wealth/navs/file", ops, "text/csv", []byte(good)))
			items := r.body["items"].([]any)
			require.Len(t, items, 2)
			first := items[0].(map[string]any)
			require.Equal(t, pid, first["product_id"])
			require.Equal(t, "1.025", first["nav"])
			require.Equal(t, "1.125", first["accumulated_nav"])
			require.Equal(t, "fwealthops", first["published_by"])
			requireRefused(t, b.upload("/v1/wealth/navs/file", ops, "text/csv", []byte(good)), 409, "duplicate", "lines[2].date")
			navs = b.must(200, b.do("GET", "/v1/wealth/products/"+pid+"/navs?from=2026-03-01&to=2026-03-31", ops, nil))
			require.Len(t, navs.body["items"], 2)
		})
	}
}
