package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
)

const testAdminToken = "bk_test_admin_token_0123456789abcdef0123"

// Test keyring: two 32-byte keys, base64.
const testKeyring = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

// testPasswordParams keep argon2id cheap under the race detector; the
// channel package's own tests cover the OWASP parameters.
var testPasswordParams = channel.Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}

// testBank is a server under test with a client for it.
type testBank struct {
	t   *testing.T
	srv *Server
	h   http.Handler
}

func newBank(t *testing.T, storage string) *testBank {
	t.Helper()
	return newBankWithClock(t, storage, nil)
}

// newBankWithClock is newBank on a clock of the test's (nil: the system's).
func newBankWithClock(t *testing.T, storage string, clock calendar.Clock) *testBank {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	if storage == "postgres" {
		_, cfg.DatabaseURL = pgtest.NewWithURL(t)
		cfg.ClearingDir = t.TempDir()
	}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &testBank{t: t, srv: srv, h: srv.Handler()}
}

// storages are the backends every end-to-end test runs on.
var storages = []string{"memory", "postgres"}

type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (r resp) str(path ...string) string {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func (r resp) problemType() string { return strings.TrimPrefix(r.str("type"), problemBase) }

var keySeq atomic.Int64

// do sends a request; for POSTs it adds a fresh Idempotency-Key unless the
// header map says otherwise.
func (b *testBank) do(method, path, token string, body any, header ...string) resp {
	b.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			j, err := json.Marshal(body)
			require.NoError(b.t, err)
			rd = bytes.NewReader(j)
		}
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "192.0.2.1:1234"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("test-%d", keySeq.Add(1)))
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	out := resp{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if len(out.raw) > 0 && out.raw[0] == '{' {
		require.NoError(b.t, json.Unmarshal(out.raw, &out.body), string(out.raw))
	}
	return out
}

func (b *testBank) must(status int, r resp) resp {
	b.t.Helper()
	require.Equal(b.t, status, r.status, string(r.raw))
	return r
}

// login creates a staff user with role and returns its token.
func (b *testBank) staff(role string) string {
	b.t.Helper()
	user := fmt.Sprintf("%s%d", strings.ReplaceAll(role, "_", ""), keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": user, "password": "correct horse battery", "roles": []string{role}}))
	r := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "correct horse battery"}))
	return r.str("token")
}

// PRC resident ids with valid GB 11643 check digits (computed in the test
// helper below from the 17 leading digits).
func residentID(region, birth string, seq int) string {
	base := fmt.Sprintf("%s%s%03d", region, birth, seq)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

var customerSeq atomic.Int64

// onboard creates a KYC-verified customer and returns its id.
func (b *testBank) onboard(teller string) string {
	b.t.Helper()
	r := b.must(201, b.do("POST", "/v1/customers", teller, customerBody()))
	id := r.str("id")
	b.must(200, b.do("POST", "/v1/customers/"+id+"/kyc", teller, map[string]any{"status": "verified", "note": "documents checked in branch"}))
	return id
}

func (b *testBank) openAccount(token, customerID string) string {
	b.t.Helper()
	r := b.must(201, b.do("POST", "/v1/accounts", token, map[string]any{"customer_id": customerID, "product": "demand", "currency": "CNY"}))
	return r.str("id")
}

func cny(v string) map[string]any { return map[string]any{"value": v, "currency": "CNY"} }

func TestRetailFlowEndToEnd(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice, bob := b.onboard(teller), b.onboard(teller)
			a1, b1 := b.openAccount(teller, alice), b.openAccount(teller, bob)

			// A deposit, replayed with the same key, posts once.
			dep := b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1000.00")}, "Idempotency-Key", "dep-1"))
			again := b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1000.00")}, "Idempotency-Key", "dep-1"))
			require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
			require.Equal(t, dep.raw, again.raw)
			other := b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("999.00")}, "Idempotency-Key", "dep-1")
			require.Equal(t, 422, other.status)
			require.Equal(t, "idempotency-key-reused", other.problemType())
			require.Equal(t, 400, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1.00")}, "Idempotency-Key", "").status)

			acct := b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil))
			require.Equal(t, "1000.00", acct.str("balance", "value"))

			// Only the bank's currencies.
			chf := b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "CHF"})
			require.Equal(t, 400, chf.status, string(chf.raw))
			require.Equal(t, "currency", chf.body["errors"].([]any)[0].(map[string]any)["field"])

			// Bad money is refused and changes nothing.
			for name, amount := range map[string]any{
				"number":          map[string]any{"value": 10, "currency": "CNY"},
				"too many places": cny("1.001"),
				"negative":        cny("-5.00"),
				"zero":            cny("0.00"),
				"unknown":         map[string]any{"value": "1.00", "currency": "XYZ"},
			} {
				r := b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": amount})
				require.Equal(t, 400, r.status, name+": "+string(r.raw))
			}
			usd := b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": map[string]any{"value": "1.00", "currency": "USD"}})
			require.Equal(t, 422, usd.status, string(usd.raw))
			require.Equal(t, "1000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))

			// Withdrawals beyond the balance are refused.
			short := b.do("POST", "/v1/withdrawals", teller, map[string]any{"account_id": a1, "amount": cny("1000.01")})
			require.Equal(t, 422, short.status)
			require.Equal(t, "insufficient-funds", short.problemType())

			// The customer logs in and moves money out of their own account only.
			b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alice" + storage, "password": "alice's long password"}))
			tok := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alice" + storage, "password": "alice's long password"}))
			require.Equal(t, "customer", tok.str("subject", "kind"))
			require.Equal(t, alice, tok.str("subject", "id"))
			at := tok.str("token")

			tr := b.must(201, b.do("POST", "/v1/transfers", at, map[string]any{"from_account_id": a1, "to_account_id": b1, "amount": cny("250.50"), "description": "rent"}))
			require.Equal(t, "posted", tr.str("status"))
			require.Equal(t, a1, tr.str("from_account_id"))
			require.Equal(t, b1, tr.str("to_account_id"))
			require.Equal(t, 404, b.do("POST", "/v1/transfers", at, map[string]any{"from_account_id": b1, "to_account_id": a1, "amount": cny("1.00")}).status)
			require.Equal(t, 404, b.do("GET", "/v1/accounts/"+b1, at, nil).status)
			require.Equal(t, 404, b.do("GET", "/v1/customers/"+bob, at, nil).status)
			require.Equal(t, 200, b.do("GET", "/v1/transfers/"+tr.str("id"), at, nil).status)
			require.Equal(t, 403, b.do("POST", "/v1/deposits", at, map[string]any{"account_id": a1, "amount": cny("1.00")}).status)

			lines := b.must(200, b.do("GET", "/v1/accounts/"+a1+"/transactions", at, nil))
			items := lines.body["items"].([]any)
			require.Len(t, items, 2)
			newest := items[0].(map[string]any)
			require.Equal(t, tr.str("id"), newest["transfer_id"])
			require.Equal(t, "-250.50", newest["amount"].(map[string]any)["value"])
			require.Equal(t, "749.50", newest["balance_after"].(map[string]any)["value"])
			// Page by page, following next, the same lines in the same order.
			first := b.must(200, b.do("GET", "/v1/accounts/"+a1+"/transactions?limit=1", at, nil))
			require.Equal(t, tr.str("id"), first.body["items"].([]any)[0].(map[string]any)["transfer_id"])
			second := b.must(200, b.do("GET", "/v1/accounts/"+a1+"/transactions?limit=1&after="+first.str("next"), at, nil))
			require.Equal(t, items[1].(map[string]any)["id"], second.body["items"].([]any)[0].(map[string]any)["id"])
			require.Equal(t, "1000.00", second.body["items"].([]any)[0].(map[string]any)["balance_after"].(map[string]any)["value"])
			require.Equal(t, "", second.body["next"], "the last page has no next")
			// A cursor that is no line of the account is refused, with the parameter named.
			bad := b.do("GET", "/v1/accounts/"+a1+"/transactions?after="+ledger.NewID().String(), at, nil)
			require.Equal(t, 400, bad.status)
			require.Equal(t, "after", bad.body["errors"].([]any)[0].(map[string]any)["field"])

			// Reversal by staff restores both balances; a second is refused.
			b.must(201, b.do("POST", "/v1/transfers/"+tr.str("id")+"/reversal", teller, nil))
			require.Equal(t, 409, b.do("POST", "/v1/transfers/"+tr.str("id")+"/reversal", teller, nil).status)
			require.Equal(t, "1000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			require.Equal(t, "0.00", b.must(200, b.do("GET", "/v1/accounts/"+b1, teller, nil)).str("balance", "value"))

			// Holds reduce the available balance until captured or released.
			h := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": a1, "amount": cny("300.00")}))
			acct = b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil))
			require.Equal(t, "700.00", acct.str("available_balance", "value"))
			b.must(201, b.do("POST", "/v1/holds/"+h.str("id")+"/capture", teller, map[string]any{"amount": cny("100.00"), "to_account_id": b1}))
			acct = b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil))
			require.Equal(t, "900.00", acct.str("balance", "value"))
			require.Equal(t, "900.00", acct.str("available_balance", "value"))

			// Every currency's books balance.
			fin := b.staff("finance")
			tb := b.must(200, b.do("GET", "/v1/reports/trial-balance", fin, nil))
			for _, c := range tb.body["currencies"].([]any) {
				line := c.(map[string]any)
				diff := line["difference"].(map[string]any)
				require.True(t, decimal.RequireFromString(diff["value"].(string)).IsZero(), "%v", line)
				require.Equal(t, line["debits"], line["credits"])
			}
		})
	}
}

func TestCustomerPIIIsMaskedUnlessRevealedWithAReason(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	id := b.onboard(teller)
	masked := b.must(200, b.do("GET", "/v1/customers/"+id, teller, nil))
	require.Equal(t, true, masked.body["masked"])
	require.Contains(t, masked.str("national_id", "number"), "*")
	require.NotContains(t, string(masked.raw), "1990-03-07")

	require.Equal(t, 400, b.do("GET", "/v1/customers/"+id+"?reveal=national_id", teller, nil).status, "a reveal needs a reason")
	full := b.must(200, b.do("GET", "/v1/customers/"+id+"?reveal=all&reason=customer+called+to+verify", teller, nil))
	require.Equal(t, false, full.body["masked"])
	require.NotContains(t, full.str("national_id", "number"), "*")

	require.ElementsMatch(t, []any{"national_id", "phones", "email", "address", "date_of_birth"}, full.body["revealed"])
	require.Equal(t, "1990-03-07", full.str("date_of_birth"))

	support := b.staff("support")
	require.Equal(t, 403, b.do("GET", "/v1/customers/"+id+"?reveal=all&reason=curious", support, nil).status)
}

// A partial reveal shows the fields it names in full and keeps every other
// one masked, as a masked read shows it, saying which are revealed.
func TestAPartialRevealKeepsTheOtherFieldsMasked(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	id := b.onboard(teller)
	masked := b.must(200, b.do("GET", "/v1/customers/"+id, teller, nil))
	full := b.must(200, b.do("GET", "/v1/customers/"+id+"?reveal=all&reason=customer+called+to+verify", teller, nil))

	partial := b.must(200, b.do("GET", "/v1/customers/"+id+"?reveal=national_id&reason=account+opening+check", teller, nil))
	require.Equal(t, full.body["national_id"], partial.body["national_id"], "revealed")
	for _, field := range []string{"date_of_birth", "phone", "phones", "email", "address"} {
		require.Equal(t, masked.body[field], partial.body[field], "%s stays masked", field)
	}
	require.Equal(t, true, partial.body["masked"], "some fields are still masked")
	require.Equal(t, []any{"national_id"}, partial.body["revealed"])
	require.NotContains(t, masked.body, "revealed", "a masked read reveals nothing")

	two := b.must(200, b.do("GET", "/v1/customers/"+id+"?reveal=phones,date_of_birth&reason=call+back", teller, nil))
	require.Equal(t, full.body["phones"], two.body["phones"])
	require.Equal(t, full.body["date_of_birth"], two.body["date_of_birth"])
	require.Equal(t, masked.body["national_id"], two.body["national_id"])
	require.Equal(t, masked.body["address"], two.body["address"])
	require.Equal(t, []any{"phones", "date_of_birth"}, two.body["revealed"])
}

// A customer opening an account for someone else finds no such customer,
// as with every other object that is not theirs.
func TestACustomerCannotOpenAnAccountForAnother(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	alice, bob := b.onboard(teller), b.onboard(teller)
	b.must(201, b.do("POST", "/v1/customers/"+alice+"/online-banking", teller, map[string]any{"username": "alice", "password": "alice's long password"}))
	token := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "alice", "password": "alice's long password"})).str("token")

	r := b.must(404, b.do("POST", "/v1/accounts", token, map[string]any{"customer_id": bob, "product": "demand", "currency": "CNY"}))
	require.Equal(t, "not-found", r.problemType())
	require.Empty(t, b.must(200, b.do("GET", "/v1/customers/"+bob+"/accounts", teller, nil)).body["items"])
	b.must(201, b.do("POST", "/v1/accounts", token, map[string]any{"customer_id": alice, "product": "demand", "currency": "CNY"}))
}

func TestOptimisticConcurrencyOnCustomerPatch(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	id := b.onboard(teller)
	c := b.must(200, b.do("GET", "/v1/customers/"+id, teller, nil))
	version := fmt.Sprint(c.body["version"])

	require.Equal(t, 428, b.do("PATCH", "/v1/customers/"+id, teller, map[string]any{"occupation": "teacher"}).status)
	b.must(200, b.do("PATCH", "/v1/customers/"+id, teller, map[string]any{"occupation": "teacher"}, "If-Match", version))
	stale := b.do("PATCH", "/v1/customers/"+id, teller, map[string]any{"occupation": "doctor"}, "If-Match", version)
	require.Equal(t, 412, stale.status, string(stale.raw))
	require.Equal(t, 400, b.do("PATCH", "/v1/customers/"+id, teller, map[string]any{"balance": "1"}, "If-Match", version).status)
}

func TestLoginFailuresAreGeneric(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	b.staff("teller")
	unknown := b.do("POST", "/v1/auth/token", "", map[string]any{"username": "nobody", "password": "whatever password"})
	wrong := b.do("POST", "/v1/auth/token", "", map[string]any{"username": "admin", "password": "wrong password here"})
	require.Equal(t, 401, unknown.status)
	require.Equal(t, unknown.status, wrong.status)
	require.Equal(t, unknown.str("type"), wrong.str("type"))
	require.Equal(t, unknown.str("detail"), wrong.str("detail"))
	require.Equal(t, 401, b.do("GET", "/v1/accounts", "bk_not_a_real_token", nil).status)
	require.Equal(t, 401, b.do("GET", "/v1/accounts", "", nil).status)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
