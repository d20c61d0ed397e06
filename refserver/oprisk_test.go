package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk"
)

// newCheckedBank is newBank with maker-checker on.
func newCheckedBank(t *testing.T, storage string) *testBank {
	t.Helper()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams, MakerChecker: true}
	if storage == "postgres" {
		_, cfg.DatabaseURL = pgtest.NewWithURL(t)
		cfg.ClearingDir = t.TempDir()
	}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &testBank{t: t, srv: srv, h: srv.Handler()}
}

// staffMember creates a staff user with role (through the bootstrap
// administrator) and returns its token and identity id.
func (b *testBank) staffMember(role string) (token, id string) {
	b.t.Helper()
	user := fmt.Sprintf("%s%d", strings.ReplaceAll(role, "_", ""), keySeq.Add(1))
	u := b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": user, "password": "correct horse battery", "roles": []string{role}}))
	r := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "correct horse battery"}))
	return r.str("token"), u.str("id")
}

func (b *testBank) pending() []any {
	b.t.Helper()
	r := b.must(200, b.do("GET", "/v1/approvals?status=pending&limit=500", testAdminToken, nil))
	items, _ := r.body["items"].([]any)
	return items
}

// TestMakerCheckerCannotBeBypassed walks every route of the table whose
// permission has a maker-checker policy and calls it, as every role the
// catalogue lets call it, with a request the policy holds: each answers 202
// with a pending request and changes nothing until a checker approves.
func TestMakerCheckerCannotBeBypassed(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newCheckedBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			bob := b.onboard(teller)
			aliceAcct := b.openAccount(teller, alice)
			bobAcct := b.openAccount(teller, bob)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": aliceAcct, "amount": cny("150000.00")}))
			small := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": aliceAcct, "to_account_id": bobAcct, "amount": cny("100.00")}))
			hold := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": aliceAcct, "amount": cny("60000.00")}))
			_, victimID := b.staffMember("support")
			draft := b.must(201, b.do("POST", "/v1/risk/rule-sets", testAdminToken, twoRules())).str("id")
			limit, err := b.srv.riskState.svc.DefineIndicator(context.Background(), risk.IndicatorRequest{Name: "backlog",
				Figure: "risk.case_backlog", Direction: risk.Above, Warning: decimal.NewFromInt(50), Breach: decimal.NewFromInt(100)})
			require.NoError(t, err)

			// A request each policy holds, naming alice's objects. A new
			// policy needs a line here, or this test fails.
			held := map[string]struct {
				path string
				body map[string]any
			}{
				"transfers.create":      {"/v1/transfers", map[string]any{"from_account_id": aliceAcct, "to_account_id": bobAcct, "amount": cny("50000.01")}},
				"withdrawals.create":    {"/v1/withdrawals", map[string]any{"account_id": aliceAcct, "amount": cny("60000.00")}},
				"holds.capture":         {"/v1/holds/" + hold.str("id") + "/capture", map[string]any{"to_account_id": bobAcct}},
				"transfers.reversal":    {"/v1/transfers/" + small.str("id") + "/reversal", map[string]any{}},
				"accounts.freeze":       {"/v1/accounts/" + aliceAcct + "/freeze", map[string]any{"mode": "all", "reason": "court order"}},
				"accounts.unfreeze":     {"/v1/accounts/" + aliceAcct + "/unfreeze", map[string]any{}},
				"staff.create":          {"/v1/staff", map[string]any{"username": "mallory", "password": "a long staff password", "roles": []string{"admin"}}},
				"staff.roles.set":       {"/v1/staff/" + victimID + "/roles", map[string]any{"roles": []string{"admin"}}},
				"roles.permissions.set": {"/v1/roles/support/permissions", map[string]any{"permissions": []string{"accounts.freeze"}}},
				permRuleSetPublish:      {"/v1/risk/rule-sets/" + draft + "/publish", nil},
				permJournalCreate: {"/v1/journal-entries", map[string]any{"description": "correction", "postings": []any{
					map[string]any{"account_id": aliceAcct, "side": "debit", "amount": cny("1000.00")},
					map[string]any{"account_id": bobAcct, "side": "credit", "amount": cny("1000.00")}}}},
				permIndicatorCreate: {"/v1/risk/indicators", map[string]any{"name": "held_limit", "figure": "risk.case_backlog",
					"direction": "above", "warning": "1", "breach": "2"}},
				permThresholdsSet: {"/v1/risk/indicators/" + limit.ID.String() + "/thresholds", map[string]any{"warning": "5000", "breach": "10000"}},
			}
			policies := b.srv.oprisk.Policies()
			require.Len(t, policies, len(held), "every policy is walked")
			cat, err := b.srv.oprisk.Catalogue(context.Background())
			require.NoError(t, err)

			calls := 0
			tokens := map[string]string{}
			for _, rt := range b.srv.routes {
				if _, ok := b.srv.oprisk.Policy(rt.permission); !ok {
					continue
				}
				req, ok := held[rt.permission]
				require.True(t, ok, "no held request for %s", rt.permission)
				roles := cat.RolesHolding(rt.permission)
				require.NotEmpty(t, roles)
				for _, role := range roles {
					// One member of staff per role (logging in for every
					// route would meet the login rate limit).
					token, ok := tokens[role]
					if !ok {
						token = b.staff(role)
						tokens[role] = token
					}
					r := b.do(rt.method, req.path, token, req.body)
					require.Equal(t, http.StatusAccepted, r.status, "%s as %s: %s", rt.muxPattern(), role, r.raw)
					require.Equal(t, "pending", r.str("status"))
					require.Equal(t, rt.permission, r.str("permission"))
					calls++
				}
			}
			require.Len(t, b.pending(), calls)

			// Nothing happened: balances, the account's status, the transfer,
			// the hold, the staff user and the grants are as they were.
			acct := b.must(200, b.do("GET", "/v1/accounts/"+aliceAcct, teller, nil))
			require.Equal(t, "149900.00", acct.str("balance", "value"))
			require.Equal(t, "active", acct.str("status"))
			require.Equal(t, "active", b.must(200, b.do("GET", "/v1/holds/"+hold.str("id"), teller, nil)).str("status"))
			require.Equal(t, 401, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "mallory", "password": "a long staff password"}).status)
			roles := b.must(200, b.do("GET", "/v1/roles", testAdminToken, nil))
			for _, item := range roles.body["items"].([]any) {
				if item.(map[string]any)["role"] == "support" {
					require.NotContains(t, item.(map[string]any)["permissions"], "accounts.freeze")
				}
			}
			require.Equal(t, "draft", b.must(200, b.do("GET", "/v1/risk/rule-sets/"+draft, testAdminToken, nil)).str("status"),
				"the rule set is not published")
			inds, err := b.srv.riskState.svc.Indicators(context.Background())
			require.NoError(t, err)
			require.Len(t, inds, 1, "no limit defined")
			require.Equal(t, "50", inds[0].Warning.String(), "the limit's thresholds as they were")
			require.Equal(t, "100", inds[0].Breach.String())
			// Below the amount, a transfer is not held.
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": aliceAcct, "to_account_id": bobAcct, "amount": cny("50000.00")}))
			// A capture that names no amount takes the whole hold: held.
			require.Equal(t, 202, b.do("POST", "/v1/holds/"+hold.str("id")+"/capture", teller, map[string]any{"to_account_id": bobAcct}).status)
			// Another currency has its own threshold; the amount's currency
			// decides, so a USD account's transfer above USD 10,000 is held.
			usd := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "demand", "currency": "USD"}))
			require.Equal(t, 202, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": usd.str("id"), "to_account_id": bobAcct, "amount": map[string]any{"value": "10000.01", "currency": "USD"}}).status)
		})
	}
}

// TestApprovalRunsTheRequestOnce: a held transfer runs when a second
// teller approves it — not when its maker tries, nor someone who may not
// transfer — exactly once, with both people and times kept.
func TestApprovalRunsTheRequestOnce(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newCheckedBank(t, storage)
			maker := b.staff("teller")
			checker := b.staff("teller")
			risk := b.staff("risk_officer")
			support := b.staff("support")
			alice := b.onboard(maker)
			bob := b.onboard(maker)
			aliceAcct := b.openAccount(maker, alice)
			bobAcct := b.openAccount(maker, bob)
			b.must(201, b.do("POST", "/v1/deposits", maker, map[string]any{"account_id": aliceAcct, "amount": cny("100000.00")}))

			body := map[string]any{"from_account_id": aliceAcct, "to_account_id": bobAcct, "amount": cny("60000.00")}
			first := b.must(202, b.do("POST", "/v1/transfers", maker, body, "Idempotency-Key", "big-1", "X-Request-Id", "maker-req-1"))
			id := first.str("id")
			require.Equal(t, "maker-req-1", first.str("request_id"))
			require.Equal(t, "60000.00", first.str("body", "amount", "value"))
			// The maker's retry is the same held request, not a second one.
			again := b.must(202, b.do("POST", "/v1/transfers", maker, body, "Idempotency-Key", "big-1"))
			require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
			require.Equal(t, id, again.str("id"))
			require.Len(t, b.pending(), 1)

			r := b.do("POST", "/v1/approvals/"+id+"/approve", maker, nil)
			require.Equal(t, 403, r.status, string(r.raw))
			require.Equal(t, "segregation-of-duties", r.problemType())
			require.Equal(t, 403, b.do("POST", "/v1/approvals/"+id+"/approve", support, nil).status, "support decides no requests")
			r = b.do("POST", "/v1/approvals/"+id+"/approve", risk, nil)
			require.Equal(t, 403, r.status, "a risk officer may not transfer, so may not approve one: %s", r.raw)

			ok := b.must(200, b.do("POST", "/v1/approvals/"+id+"/approve", checker, map[string]any{"note": "called the customer back"}))
			require.Equal(t, "done", ok.str("status"))
			require.EqualValues(t, 201, ok.body["outcome"].(map[string]any)["status"])
			require.Equal(t, "60000.00", ok.str("outcome", "body", "amount", "value"))
			require.NotEmpty(t, ok.str("maker", "id"))
			require.NotEqual(t, ok.str("maker", "id"), ok.str("checker", "id"))
			require.NotEmpty(t, ok.str("made_at"))
			require.NotEmpty(t, ok.str("checked_at"))
			require.Equal(t, "called the customer back", ok.str("note"))

			r = b.do("POST", "/v1/approvals/"+id+"/approve", checker, nil)
			require.Equal(t, 409, r.status)
			require.Equal(t, "request-not-pending", r.problemType())
			b.must(202, b.do("POST", "/v1/transfers", maker, body, "Idempotency-Key", "big-1"))

			// 100,000.00 - 60,000.00, once.
			require.Equal(t, "40000.00", b.must(200, b.do("GET", "/v1/accounts/"+aliceAcct, maker, nil)).str("balance", "value"))
			require.Equal(t, "60000.00", b.must(200, b.do("GET", "/v1/accounts/"+bobAcct, maker, nil)).str("balance", "value"))

			// A rejected freeze never runs.
			fr := b.must(202, b.do("POST", "/v1/accounts/"+aliceAcct+"/freeze", maker, map[string]any{"mode": "all", "reason": "court order"}))
			rej := b.must(200, b.do("POST", "/v1/approvals/"+fr.str("id")+"/reject", risk, map[string]any{"note": "no order attached"}))
			require.Equal(t, "rejected", rej.str("status"))
			require.Equal(t, 409, b.do("POST", "/v1/approvals/"+fr.str("id")+"/approve", checker, nil).status)
			require.Equal(t, "active", b.must(200, b.do("GET", "/v1/accounts/"+aliceAcct, maker, nil)).str("status"))
			require.Empty(t, b.pending())

			// A held staff creation hides its password from the checker.
			admin := b.staff("admin")
			st := b.must(202, b.do("POST", "/v1/staff", admin, map[string]any{"username": "newteller", "password": "a long staff password", "roles": []string{"teller"}}))
			require.Equal(t, "****", st.str("body", "password"))
			got := b.must(200, b.do("GET", "/v1/approvals/"+st.str("id"), testAdminToken, nil))
			require.Equal(t, "****", got.str("body", "password"))
			done := b.must(200, b.do("POST", "/v1/approvals/"+st.str("id")+"/approve", testAdminToken, nil))
			require.EqualValues(t, 201, done.body["outcome"].(map[string]any)["status"])
			b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "newteller", "password": "a long staff password"}))
			if storage == "postgres" {
				var n int
				require.NoError(t, b.srv.db.Get(&n, `SELECT count(*) FROM oprisk.requests WHERE doc::text LIKE '%a long staff password%'`))
				require.Zero(t, n, "held bodies are sealed at rest")
			}
		})
	}
}

// TestSegregationOfDutiesOverHTTP: whoever creates a staff user may not
// give it roles, and nobody changes their own.
func TestSegregationOfDutiesOverHTTP(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	adminA, adminAID := b.staffMember("admin")
	adminB, _ := b.staffMember("admin")
	x := b.must(201, b.do("POST", "/v1/staff", adminA, map[string]any{"username": "xavier", "password": "a long staff password", "roles": []string{"teller"}}))

	r := b.do("PUT", "/v1/staff/"+x.str("id")+"/roles", adminA, map[string]any{"roles": []string{"teller", "support"}})
	require.Equal(t, 403, r.status, string(r.raw))
	require.Equal(t, "segregation-of-duties", r.problemType())
	r = b.do("PUT", "/v1/staff/"+adminAID+"/roles", adminA, map[string]any{"roles": []string{"admin", "auditor"}})
	require.Equal(t, 403, r.status, string(r.raw))
	require.Equal(t, "segregation-of-duties", r.problemType())

	got := b.must(200, b.do("PUT", "/v1/staff/"+x.str("id")+"/roles", adminB, map[string]any{"roles": []string{"teller", "support"}}))
	require.Equal(t, []any{"support", "teller"}, got.body["roles"])
}

// TestRoleGrantsAreData: an administrator changes what a role may do, and
// the next request obeys; the last holder of the grant-changing permission
// cannot lose it.
func TestRoleGrantsAreData(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")
	b.must(200, b.do("GET", "/v1/accounts", teller, nil))

	roles := b.must(200, b.do("GET", "/v1/roles", testAdminToken, nil))
	var tellerPerms []string
	for _, item := range roles.body["items"].([]any) {
		m := item.(map[string]any)
		if m["role"] == "teller" {
			for _, p := range m["permissions"].([]any) {
				if p != "accounts.list" {
					tellerPerms = append(tellerPerms, p.(string))
				}
			}
		}
	}
	require.NotEmpty(t, tellerPerms)
	b.must(200, b.do("PUT", "/v1/roles/teller/permissions", testAdminToken, map[string]any{"permissions": tellerPerms}))
	require.Equal(t, 403, b.do("GET", "/v1/accounts", teller, nil).status)
	b.must(200, b.do("GET", "/v1/business-date", teller, nil))

	b.must(200, b.do("PUT", "/v1/roles/teller/permissions", testAdminToken, map[string]any{"permissions": append(tellerPerms, "accounts.list")}))
	b.must(200, b.do("GET", "/v1/accounts", teller, nil))

	r := b.do("PUT", "/v1/roles/admin/permissions", testAdminToken, map[string]any{"permissions": []string{"accounts.list"}})
	require.Equal(t, 422, r.status, string(r.raw))
	require.Equal(t, "last-holder", r.problemType())
	r = b.do("PUT", "/v1/roles/teller/permissions", testAdminToken, map[string]any{"permissions": []string{"no.such.thing"}})
	require.Equal(t, 404, r.status)
	r = b.do("PUT", "/v1/roles/wizard/permissions", testAdminToken, map[string]any{"permissions": []string{}})
	require.Equal(t, 404, r.status)

	perms := b.must(200, b.do("GET", "/v1/permissions", testAdminToken, nil))
	names := map[string]map[string]any{}
	for _, item := range perms.body["items"].([]any) {
		m := item.(map[string]any)
		names[m["name"].(string)] = m
	}
	require.Contains(t, names, "accounts.freeze")
	require.Equal(t, []any{"admin", "risk_officer", "teller"}, names["accounts.freeze"]["roles"])
	require.Equal(t, []any{"admin", "auditor"}, names["audit.list"]["roles"])
	require.Equal(t, false, names["accounts.freeze"]["maker_checker"], "maker-checker is off in this bank")
}

// TestAuditTrailOverHTTP: staff requests — allowed, refused, revealing
// personal data — are in the trail with who, what, which object, the
// outcome, the request id and the address; customers' are not; the
// auditor reads it and the chain verifies; on PostgreSQL a row changed by
// SQL is found.
func TestAuditTrailOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, tellerID := b.staffMember("teller")
			auditor := b.staff("auditor")
			created := b.must(201, b.do("POST", "/v1/customers", teller, customerBody(), "X-Request-Id", "onboard-1"))
			cust := created.str("id")
			b.must(200, b.do("GET", "/v1/customers/"+cust+"?reveal=national_id&reason=account+opening", teller, nil, "X-Request-Id", "reveal-1"))
			require.Equal(t, 403, b.do("GET", "/v1/reports/trial-balance", teller, nil, "X-Request-Id", "denied-1").status)

			mine := b.must(200, b.do("GET", "/v1/audit?actor_id="+tellerID+"&limit=500", auditor, nil))
			var recs []map[string]any
			for _, item := range mine.body["items"].([]any) {
				recs = append(recs, item.(map[string]any))
			}
			byReq := map[string]map[string]any{}
			for _, r := range recs {
				require.Equal(t, tellerID, r["actor_id"])
				require.Equal(t, []any{"teller"}, r["roles"])
				byReq[r["request_id"].(string)] = r
			}
			on := byReq["onboard-1"]
			require.Equal(t, "customers.create", on["action"])
			require.Equal(t, cust, on["object"], "a create names the object it made")
			require.EqualValues(t, 201, on["outcome"])
			require.Equal(t, "192.0.2.1", on["address"])
			rv := byReq["reveal-1"]
			require.Equal(t, "customers.read", rv["action"])
			require.Equal(t, true, rv["pii"])
			require.Equal(t, cust, rv["object"])
			require.Equal(t, "/v1/customers/"+cust, rv["path"], "the query string is not kept")
			require.EqualValues(t, 403, byReq["denied-1"]["outcome"])
			one := b.must(200, b.do("GET", "/v1/audit?request_id=reveal-1", auditor, nil))
			require.Len(t, one.body["items"], 1)

			v := b.must(200, b.do("GET", "/v1/audit/verify", auditor, nil))
			require.Equal(t, true, v.body["ok"], string(v.raw))
			require.Greater(t, v.body["checked"].(float64), 5.0)

			// The auditor reads the trail and nothing else.
			require.Equal(t, 403, b.do("GET", "/v1/customers/"+cust, auditor, nil).status)
			require.Equal(t, 403, b.do("GET", "/v1/business-date", auditor, nil).status)

			all := b.must(200, b.do("GET", "/v1/audit?limit=500", auditor, nil))
			for _, item := range all.body["items"].([]any) {
				require.NotEqual(t, "", item.(map[string]any)["actor_id"])
			}
			if storage != "postgres" {
				return
			}
			seq := int64(rv["seq"].(float64))
			_, err := b.srv.db.Exec(`UPDATE oprisk.audit SET pii = false WHERE seq = $1`, seq)
			require.NoError(t, err)
			v = b.must(200, b.do("GET", "/v1/audit/verify", auditor, nil))
			require.Equal(t, false, v.body["ok"])
			require.EqualValues(t, seq, v.body["broken_at"], string(v.raw))
		})
	}
}

// TestEveryRouteHasAPermission: the catalogue names every non-public route
// and grants each exactly the route table's roles by default.
func TestEveryRouteHasAPermission(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	cat, err := b.srv.oprisk.Catalogue(context.Background())
	require.NoError(t, err)
	for _, rt := range b.srv.routes {
		if rt.access.public {
			continue
		}
		require.NotEmpty(t, rt.permission, rt.muxPattern())
		var want []string
		for _, r := range rt.access.roles {
			want = append(want, string(r))
		}
		slices.Sort(want)
		require.Equal(t, want, cat.RolesHolding(rt.permission), "%s (%s)", rt.muxPattern(), rt.permission)
	}
}

// TestPermissionNames pins how routes' permissions are named: the names
// are data an administrator grants, so a rename must be deliberate.
func TestPermissionNames(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	want := map[string]string{
		"POST /v1/accounts":                  "accounts.create",
		"GET /v1/accounts":                   "accounts.list",
		"GET /v1/accounts/{id}":              "accounts.read",
		"GET /v1/accounts/{id}/transactions": "accounts.transactions.list",
		"POST /v1/accounts/{id}/freeze":      "accounts.freeze",
		"PATCH /v1/customers/{id}":           "customers.update",
		"POST /v1/transfers/{id}/reversal":   "transfers.reversal",
		"POST /v1/customers/{id}/complaints": "customers.complaints.create",
		"PUT /v1/roles/{role}/permissions":   "roles.permissions.set",
		"GET /v1/audit":                      "audit.list",
		"GET /v1/audit/verify":               "audit.verify",
		"POST /v1/auth/logout":               "auth.logout",
		"GET /v1/end-of-day/{date}":          "end-of-day.read",
	}
	got := map[string]string{}
	for _, rt := range b.srv.routes {
		got[rt.muxPattern()] = rt.permission
	}
	for pattern, perm := range want {
		require.Equal(t, perm, got[pattern], pattern)
	}
}
