package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// staffWithID creates a staff user with role and returns its token and
// identity id.
func (b *testBank) staffWithID(role string) (token, id string) {
	b.t.Helper()
	user := fmt.Sprintf("%s%d", strings.ReplaceAll(role, "_", ""), keySeq.Add(1))
	b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": user, "password": "correct horse battery", "roles": []string{role}}))
	r := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "correct horse battery"}))
	return r.str("token"), r.str("subject", "id")
}

// contactExamples are valid requests for the contact centre's JSON routes,
// as the administrator (a supervisor).
func contactExamples(b *testBank) map[string]example {
	admin := testAdminToken
	_, agentID := b.staffWithID("agent")
	b.must(200, b.do("PUT", "/v1/contact/agents/"+agentID, admin, map[string]any{"skills": []string{"general", "complaints"}, "available": true}))
	cust := b.onboard(admin)
	acct := b.openAccount(admin, cust)
	ticket := func() string {
		return b.must(201, b.do("POST", "/v1/contact/tickets", admin, map[string]any{"kind": "inquiry", "customer_id": cust, "subject": "card"})).str("id")
	}
	return map[string]example{
		"POST /v1/contact/tickets": func() (string, map[string]any, []string) {
			return "/v1/contact/tickets", map[string]any{"kind": "request", "customer_id": cust, "subject": "statement copy",
				"description": "March statement", "priority": "high", "queue": "general", "account_id": acct,
				"transfer_id": "t-1", "loan_id": "l-1", "card_id": "c-1"}, nil
		},
		"POST /v1/contact/tickets/{id}/assign": func() (string, map[string]any, []string) {
			return "/v1/contact/tickets/" + ticket() + "/assign", map[string]any{"agent_id": agentID}, nil
		},
		"POST /v1/contact/tickets/{id}/notes": func() (string, map[string]any, []string) {
			return "/v1/contact/tickets/" + ticket() + "/notes", map[string]any{"text": "called back"}, nil
		},
		"POST /v1/contact/tickets/{id}/verification": func() (string, map[string]any, []string) {
			return "/v1/contact/tickets/" + ticket() + "/verification", map[string]any{"steps": []any{
				map[string]any{"factor": "date_of_birth", "passed": true}}}, nil
		},
		"POST /v1/contact/tickets/{id}/close": func() (string, map[string]any, []string) {
			return "/v1/contact/tickets/" + ticket() + "/close", map[string]any{"reason": "resolved", "satisfaction": 5}, nil
		},
		"PUT /v1/contact/agents/{id}": func() (string, map[string]any, []string) {
			return "/v1/contact/agents/" + agentID, map[string]any{"name": "Wang Fang", "skills": []string{"general", "complaints"}, "available": true}, nil
		},
	}
}

func TestContactCentreEndToEnd(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			supervisor := b.staff("support")
			agent, agentID := b.staffWithID("agent")
			other, otherID := b.staffWithID("agent")
			cust := b.onboard(teller)
			acct := b.openAccount(teller, cust)

			// Supervisors give agents their skills; a customer id is no agent.
			b.must(200, b.do("PUT", "/v1/contact/agents/"+agentID, supervisor, map[string]any{"skills": []string{"cards", "complaints"}, "available": true}))
			b.must(200, b.do("PUT", "/v1/contact/agents/"+otherID, supervisor, map[string]any{"skills": []string{"cards"}, "available": true}))
			require.Equal(t, 404, b.do("PUT", "/v1/contact/agents/"+cust, supervisor, map[string]any{"skills": []string{"cards"}, "available": true}).status)
			require.Equal(t, 403, b.do("PUT", "/v1/contact/agents/"+agentID, agent, map[string]any{"skills": []string{"cards"}, "available": true}).status)

			// An agent opens a ticket about the customer's account.
			tk := b.must(201, b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "inquiry", "customer_id": cust,
				"account_id": acct, "subject": "card declined", "priority": "urgent", "queue": "cards"}))
			id := tk.str("id")
			require.Equal(t, "open", tk.str("status"))
			require.NotEmpty(t, tk.str("due_on"))
			// Bad input names the field and stores nothing.
			bad := b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "praise", "customer_id": cust, "subject": "x"})
			require.Equal(t, 400, bad.status, string(bad.raw))
			require.Contains(t, string(bad.raw), `"field":"kind"`)
			require.Equal(t, 404, b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "inquiry", "customer_id": cust,
				"account_id": b.openAccount(teller, b.onboard(teller)), "subject": "not theirs"}).status)

			// Two agents take at once: one gets the ticket, the other none.
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, tok := range []string{agent, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = b.do("POST", "/v1/contact/next-ticket", tok, map[string]any{}).status
				}()
			}
			wg.Wait()
			require.ElementsMatch(t, []int{200, 404}, statuses)
			taken := b.must(200, b.do("GET", "/v1/contact/tickets/"+id, supervisor, nil))
			require.Contains(t, []string{agentID, otherID}, taken.str("assignee"))
			require.Equal(t, "assigned", taken.str("status"))
			// Reassigned by hand to the first agent, so the rest of the test
			// knows who holds it.
			b.must(200, b.do("POST", "/v1/contact/tickets/"+id+"/assign", supervisor, map[string]any{"agent_id": agentID}))
			stranger := other

			// Another agent's ticket is not found for notes, verification or data.
			require.Equal(t, 404, b.do("POST", "/v1/contact/tickets/"+id+"/notes", stranger, map[string]any{"text": "hi"}).status)
			require.Equal(t, 404, b.do("GET", "/v1/contact/tickets/"+id+"/customer", stranger, nil).status)
			b.must(201, b.do("POST", "/v1/contact/tickets/"+id+"/notes", agent, map[string]any{"text": "customer abroad"}))

			// Masked data; a reveal needs a reason and is in the access log.
			masked := b.must(200, b.do("GET", "/v1/contact/tickets/"+id+"/customer", agent, nil))
			require.Equal(t, true, masked.body["masked"])
			require.Contains(t, masked.str("national_id", "number"), "*")
			require.Equal(t, 400, b.do("GET", "/v1/contact/tickets/"+id+"/customer?reveal=date_of_birth", agent, nil).status)
			full := b.must(200, b.do("GET", "/v1/contact/tickets/"+id+"/customer?reveal=date_of_birth&reason=caller+verification", agent, nil))
			require.Equal(t, "1990-03-07", full.str("date_of_birth"))
			log, err := b.srv.customer.AccessLog(t.Context(), 0, 100)
			require.NoError(t, err)
			found := false
			for _, e := range log {
				if e.Actor == agentID && strings.Contains(e.Reason, "contact ticket "+id) {
					found = true
				}
			}
			require.True(t, found, "the reveal is in the customer subsystem's access log: %+v", log)
			// Agents have no other way to the customer's accounts.
			require.Equal(t, 403, b.do("GET", "/v1/customers/"+cust+"/accounts", agent, nil).status)

			// Accounts only after a passed verification.
			refused := b.do("GET", "/v1/contact/tickets/"+id+"/accounts", agent, nil)
			require.Equal(t, 403, refused.status)
			require.Equal(t, "caller-not-verified", refused.problemType())
			v := b.must(201, b.do("POST", "/v1/contact/tickets/"+id+"/verification", agent, map[string]any{"steps": []any{
				map[string]any{"factor": "date_of_birth", "passed": true}}}))
			require.Equal(t, false, v.body["passed"])
			require.Equal(t, 403, b.do("GET", "/v1/contact/tickets/"+id+"/accounts", agent, nil).status)
			v = b.must(201, b.do("POST", "/v1/contact/tickets/"+id+"/verification", agent, map[string]any{"steps": []any{
				map[string]any{"factor": "date_of_birth", "passed": true}, map[string]any{"factor": "account_last4", "passed": true}}}))
			require.Equal(t, true, v.body["passed"])
			accts := b.must(200, b.do("GET", "/v1/contact/tickets/"+id+"/accounts", agent, nil))
			require.Len(t, accts.body["items"], 1)

			// Escalation: an urgent ticket is due the next business day.
			esc := b.must(200, b.do("POST", "/v1/contact/escalations/run", supervisor, map[string]any{}))
			require.Contains(t, esc.body["due_soon"], id)
			require.Equal(t, 1, int(b.must(200, b.do("GET", "/v1/contact/tickets/"+id, agent, nil)).body["escalation"].(float64)))
			esc = b.must(200, b.do("POST", "/v1/contact/escalations/run", supervisor, map[string]any{}))
			require.Empty(t, esc.body["due_soon"], "escalated once")

			closed := b.must(200, b.do("POST", "/v1/contact/tickets/"+id+"/close", agent, map[string]any{"reason": "resolved", "satisfaction": 4}))
			require.Equal(t, "closed", closed.str("status"))
			require.Equal(t, 409, b.do("POST", "/v1/contact/tickets/"+id+"/close", agent, map[string]any{"reason": "resolved"}).status)
			require.Equal(t, 409, b.do("GET", "/v1/contact/tickets/"+id+"/accounts", agent, nil).status, "not once the ticket is closed")

			// A complaint ticket opens the customer's complaint; the complaint
			// is the customer subsystem's, listed there once.
			ct := b.must(201, b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "complaint", "customer_id": cust,
				"subject": "fee", "description": "charged twice", "complaint_category": "fees"}))
			require.Equal(t, "complaints", ct.str("queue"))
			complaints := b.must(200, b.do("GET", "/v1/customers/"+cust+"/complaints", teller, nil))
			require.Len(t, complaints.body["items"], 1)
			require.Equal(t, ct.str("complaint_id"), complaints.body["items"].([]any)[0].(map[string]any)["id"])
			dup := b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "complaint", "customer_id": cust,
				"subject": "again", "complaint_id": ct.str("complaint_id")})
			require.Equal(t, 409, dup.status, string(dup.raw))
			// An existing complaint opened at the branch is linked.
			existing := b.must(201, b.do("POST", "/v1/customers/"+cust+"/complaints", teller,
				map[string]any{"category": "service", "description": "long queue", "channel": "branch"})).str("id")
			linked := b.must(201, b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "complaint", "customer_id": cust,
				"subject": "queue", "complaint_id": existing}))
			require.Equal(t, existing, linked.str("complaint_id"))
			require.Len(t, b.must(200, b.do("GET", "/v1/customers/"+cust+"/complaints", teller, nil)).body["items"], 2)
			badCat := b.do("POST", "/v1/contact/tickets", agent, map[string]any{"kind": "complaint", "customer_id": cust,
				"subject": "x", "description": "y", "complaint_category": "weather"})
			require.Equal(t, 400, badCat.status)
			require.Contains(t, string(badCat.raw), `"field":"complaint_category"`)

			// Customers and other roles are kept out.
			require.Equal(t, 403, b.do("GET", "/v1/contact/tickets", teller, nil).status)
		})
	}
}

func TestDemoSeedsContactTicketsOnce(t *testing.T) {
	t.Parallel()
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Demo: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	defer srv.Close()
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	agent := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "demo.agent", "password": DemoPassword})).str("token")
	all := b.must(200, b.do("GET", "/v1/contact/tickets", agent, nil)).body["items"].([]any)
	require.Len(t, all, 3)
	kinds := map[string]string{}
	for _, it := range all {
		m := it.(map[string]any)
		kinds[m["kind"].(string)] = m["status"].(string)
	}
	require.Equal(t, map[string]string{"inquiry": "open", "request": "assigned", "complaint": "open"}, kinds)
	// The agent takes the urgent card inquiry first.
	next := b.must(200, b.do("POST", "/v1/contact/next-ticket", agent, map[string]any{}))
	require.Equal(t, "urgent", next.str("priority"))
	require.NoError(t, srv.seedContactDemo(context.Background()))
	require.Len(t, b.must(200, b.do("GET", "/v1/contact/tickets", agent, nil)).body["items"], 3, "seeding again adds nothing")
}
