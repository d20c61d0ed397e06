package refserver

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// TestEveryRouteEnforcesTheAccessTable walks every route of the table with
// no token, with every staff role, and with a customer who does not own the
// object. Nobody unauthorised gets a 2xx; a role outside the table gets 403;
// another customer's object is 404, never 403, so its existence is not
// revealed.
func TestEveryRouteEnforcesTheAccessTable(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	teller := b.staff("teller")

	alice := b.onboard(teller)
	bob := b.onboard(teller)
	aliceAcct := b.openAccount(teller, alice)
	bobAcct := b.openAccount(teller, bob)
	dep := b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": aliceAcct, "amount": cny("500.00")}))
	hold := b.must(201, b.do("POST", "/v1/holds", teller, map[string]any{"account_id": aliceAcct, "amount": cny("10.00")}))
	complaint := b.must(201, b.do("POST", "/v1/customers/"+alice+"/complaints", teller,
		map[string]any{"category": "service", "description": "long queue", "channel": "branch"}))

	b.must(201, b.do("POST", "/v1/customers/"+bob+"/online-banking", teller, map[string]any{"username": "bob", "password": "bob's long password"}))
	bobToken := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "bob", "password": "bob's long password"})).str("token")

	creditApp, creditContract, creditLoan := b.creditObjects(teller, alice)

	tokens := map[channel.Role]string{}
	for _, role := range channel.Roles() {
		tokens[role] = b.staff(string(role))
	}

	// objectFor fills a route's path with alice's objects.
	objectFor := func(pattern string) string {
		id := ""
		switch {
		case strings.HasPrefix(pattern, "/v1/customers/{id}"):
			id = alice
		case strings.HasPrefix(pattern, "/v1/accounts/{id}"):
			id = aliceAcct
		case strings.HasPrefix(pattern, "/v1/transfers/{id}"):
			id = dep.str("id")
		case strings.HasPrefix(pattern, "/v1/holds/{id}"):
			id = hold.str("id")
		case strings.HasPrefix(pattern, "/v1/complaints/{id}"):
			id = complaint.str("id")
		case strings.HasPrefix(pattern, "/v1/credit/applications/{id}"):
			id = creditApp
		case strings.HasPrefix(pattern, "/v1/credit/contracts/{id}"):
			id = creditContract
		case strings.HasPrefix(pattern, "/v1/credit/loans/{id}"):
			id = creditLoan
		default:
			id = "01a21c2f-0000-7000-8000-000000000000" // no such object
		}
		return strings.Replace(pattern, "{id}", id, 1)
	}
	// bodyFor is a plausible body naming alice's objects.
	bodyFor := func(rt route) any {
		if rt.method == http.MethodGet {
			return nil // GET /v1/transfers and /v1/holds find by the caller's reference
		}
		switch rt.pattern {
		case "/v1/accounts":
			return map[string]any{"customer_id": alice, "product": "demand", "currency": "CNY"}
		case "/v1/deposits", "/v1/withdrawals", "/v1/holds":
			return map[string]any{"account_id": aliceAcct, "amount": cny("1.00")}
		case "/v1/transfers":
			return map[string]any{"from_account_id": aliceAcct, "to_account_id": bobAcct, "amount": cny("1.00")}
		case "/v1/holds/{id}/capture":
			return map[string]any{"to_account_id": bobAcct}
		}
		if rt.method == http.MethodPost || rt.method == http.MethodPatch {
			return map[string]any{}
		}
		return nil
	}

	routes := b.srv.routes
	require.NotEmpty(t, routes)
	for _, rt := range routes {
		// Logout acts on the caller's own token only (and would end the
		// callers' sessions this walk goes on using).
		if rt.access.public || rt.pattern == "/v1/auth/logout" {
			continue
		}
		name := rt.method + " " + rt.pattern
		path := objectFor(rt.pattern)
		body := bodyFor(rt)

		r := b.do(rt.method, path, "", body)
		require.Equal(t, http.StatusUnauthorized, r.status, "%s without a token: %s", name, r.raw)

		for role, token := range tokens {
			if slices.Contains(rt.access.roles, role) {
				continue
			}
			r := b.do(rt.method, path, token, body, "If-Match", "1")
			require.Equal(t, http.StatusForbidden, r.status, "%s as %s: %s", name, role, r.raw)
		}

		r = b.do(rt.method, path, bobToken, body, "If-Match", "1")
		if rt.access.customer && !strings.Contains(rt.pattern, "{id}") && body == nil {
			continue // not about anyone's object: the business date
		}
		require.False(t, r.status >= 200 && r.status < 300, "%s as another customer succeeded: %s", name, r.raw)
		switch {
		case !rt.access.customer:
			require.Equal(t, http.StatusForbidden, r.status, "%s as a customer: %s", name, r.raw)
		case strings.Contains(rt.pattern, "{id}"), rt.pattern == "/v1/transfers", rt.pattern == "/v1/accounts":
			require.Equal(t, http.StatusNotFound, r.status, "%s as another customer must look like a missing object: %s", name, r.raw)
		}
	}

	// Nothing the unauthorised callers did moved alice's money.
	acct := b.must(200, b.do("GET", "/v1/accounts/"+aliceAcct, teller, nil))
	require.Equal(t, "500.00", acct.str("balance", "value"))
	require.Equal(t, "490.00", acct.str("available_balance", "value"))
}

// TestOpenAPIDescribesExactlyTheServedRoutes checks both directions: every
// route the mux serves is in /openapi.json, and every documented operation
// reaches a registered handler.
func TestOpenAPIDescribesExactlyTheServedRoutes(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	r := b.must(200, b.do("GET", "/openapi.json", "", nil))
	require.Equal(t, "3.1.0", r.body["openapi"])
	paths := r.body["paths"].(map[string]any)

	documented := map[string]bool{}
	for path, ops := range paths {
		for method, op := range ops.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
			require.NotEmpty(t, op.(map[string]any)["operationId"])
			// The documented operation is served by its own handler, not by
			// the catch-all.
			req, _ := http.NewRequest(strings.ToUpper(method), strings.ReplaceAll(path, "{id}", "x"), nil)
			_, pattern := b.srv.mux.Handler(req)
			require.Equal(t, strings.ToUpper(method)+" "+path, pattern, "documented %s %s is not served", method, path)
		}
	}
	for _, rt := range b.srv.routes {
		require.True(t, documented[rt.muxPattern()], "%s is served but not documented", rt.muxPattern())
	}
	require.Len(t, documented, len(b.srv.routes))
	require.Contains(t, r.body["components"].(map[string]any)["schemas"], "Money")
}
