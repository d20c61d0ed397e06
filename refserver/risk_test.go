package refserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// twoRules: 10,000 or more scores 100 (block and review, >= 90); 1,000 or
// more scores 50 (review, >= 40). A 20,000 transfer fires both: 150.
func twoRules() map[string]any {
	return map[string]any{
		"description": "test rules",
		"rules": []any{
			map[string]any{"name": "big", "expr": "amount >= 10000", "score": 100},
			map[string]any{"name": "mid", "expr": "amount >= 1000", "score": 50},
		},
		"thresholds": map[string]any{"review": 40, "block_and_review": 90},
	}
}

// TestRiskOverHTTP publishes a rule set, screens transfers through it
// (a block refused with the reason, a review posted with an alert),
// explains the decisions, works the case to a suspicious report, shadows
// a second version and compares, and checks an indicator, on both
// storages.
func TestRiskOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer := b.staff("teller"), b.staff("risk_officer")
			b.must(403, b.do("GET", "/v1/risk/rule-sets", teller, nil))
			b.must(403, b.do("POST", "/v1/risk/rule-sets", teller, twoRules()))

			alice := b.onboard(teller)
			from, to := b.openAccount(teller, alice), b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": cny("50000.00")}))

			// Refused at save, with the position.
			bad := twoRules()
			bad["rules"].([]any)[0].(map[string]any)["expr"] = "amount >= 10000 && colour == 1"
			r := b.do("POST", "/v1/risk/rule-sets", officer, bad)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "rule-refused", r.problemType())
			require.Equal(t, "rules[0].expr", r.body["errors"].([]any)[0].(map[string]any)["field"])
			require.Contains(t, r.body["errors"].([]any)[0].(map[string]any)["message"], "column 20")
			b.must(400, b.do("POST", "/v1/risk/rule-sets/check", officer, bad))
			b.must(200, b.do("POST", "/v1/risk/rule-sets/check", officer, twoRules()))

			v1 := b.must(201, b.do("POST", "/v1/risk/rule-sets", officer, twoRules()))
			require.Equal(t, "draft", v1.str("status"))
			// Before publication nothing is screened: a 20,000 transfer posts.
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("20000.00")}))
			b.must(200, b.do("POST", "/v1/risk/rule-sets/"+v1.str("id")+"/publish", officer, nil))

			// Block: refused with the reason, nothing posted.
			r = b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("20000.00")})
			require.Equal(t, 422, r.status, string(r.raw))
			require.Equal(t, "screening-refused", r.problemType())
			require.Contains(t, r.str("detail"), "block_and_review by rule set v1: big, mid")
			require.Equal(t, "30000.00", b.must(200, b.do("GET", "/v1/accounts/"+from, teller, nil)).str("balance", "value"))
			blocked := b.must(200, b.do("GET", "/v1/risk/decisions?outcome=block_and_review", officer, nil))
			items := blocked.body["items"].([]any)
			require.Len(t, items, 1)
			d := items[0].(map[string]any)
			why := b.must(200, b.do("GET", "/v1/risk/decisions/"+d["id"].(string), officer, nil))
			require.Equal(t, float64(150), why.body["score"])
			require.Len(t, why.body["fired"], 2)

			// Review: posted, with an alert in alice's case.
			tr := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("1500.00")}))
			ds := b.must(200, b.do("GET", "/v1/risk/decisions?transaction_id="+tr.str("id"), officer, nil)).body["items"].([]any)
			require.Len(t, ds, 1)
			require.Equal(t, "review", ds[0].(map[string]any)["outcome"])
			cases := b.must(200, b.do("GET", "/v1/risk/cases?customer_id="+alice, officer, nil)).body["items"].([]any)
			require.Len(t, cases, 1)
			caseID := cases[0].(map[string]any)["id"].(string)
			require.Len(t, cases[0].(map[string]any)["alerts"], 2, "the block's alert and the review's")

			// An indicator on the case backlog (1 open case): warning at 1.
			b.must(201, b.do("POST", "/v1/risk/indicators", officer, map[string]any{"name": "backlog", "figure": "risk.case_backlog",
				"direction": "above", "warning": "1", "breach": "10"}))
			cr := b.must(200, b.do("POST", "/v1/risk/indicators/check", officer, nil)).body["crossings"].([]any)
			require.Len(t, cr, 1)
			require.Equal(t, "warning", cr[0].(map[string]any)["to"])
			require.Empty(t, b.must(200, b.do("POST", "/v1/risk/indicators/check", officer, nil)).body["crossings"])

			// Work the case to a confirmed close and a report.
			b.must(200, b.do("POST", "/v1/risk/cases/"+caseID+"/updates", officer, map[string]any{"assignee": "ivy", "status": "investigating"}))
			b.must(200, b.do("POST", "/v1/risk/cases/"+caseID+"/updates", officer, map[string]any{"comment": "checked", "attachment": map[string]any{"ref": "dms://1"}}))
			r = b.do("POST", "/v1/risk/cases/"+caseID+"/updates", officer, map[string]any{"status": "closed"})
			require.Equal(t, 400, r.status)
			require.Equal(t, "outcome", r.body["errors"].([]any)[0].(map[string]any)["field"])
			closed := b.must(200, b.do("POST", "/v1/risk/cases/"+caseID+"/updates", officer, map[string]any{"status": "closed", "outcome": "confirmed"}))
			require.Equal(t, "closed", closed.str("status"))
			str := b.must(201, b.do("POST", "/v1/risk/cases/"+caseID+"/suspicious-report", officer, map[string]any{"narrative": "blocked 20,000 then 1,500"}))
			require.Len(t, str.body["transactions"], 2)
			require.Equal(t, "unavailable", b.do("POST", "/v1/risk/suspicious-reports/"+str.str("id")+"/filing", officer, nil).problemType(),
				"no filing directory configured")
			day := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			lv := b.must(200, b.do("GET", "/v1/risk/large-value-reports/"+day, officer, nil))
			require.Empty(t, lv.body["lines"], "nothing reached a threshold")

			// Shadow a stricter version and compare.
			strict := twoRules()
			strict["rules"].([]any)[1].(map[string]any)["expr"] = "amount >= 100"
			v2 := b.must(201, b.do("POST", "/v1/risk/rule-sets", officer, strict))
			b.must(200, b.do("POST", "/v1/risk/rule-sets/"+v2.str("id")+"/shadow", officer, nil))
			b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("500.00")}))
			cmp := b.must(200, b.do("GET", "/v1/risk/comparison?shadow_version=2", officer, nil))
			require.Equal(t, float64(1), cmp.body["transactions"])
			require.Equal(t, float64(0), cmp.body["agreed"], "live approves 500, the shadow reviews it")

			// The observer evaluates the ledger's events: the screened ones
			// count nothing again.
			// (Staff actions, observed from the audit trail, are left out.)
			movements := func() int {
				n := 0
				for _, it := range b.must(200, b.do("GET", "/v1/risk/decisions?mode=observed&limit=500", officer, nil)).body["items"].([]any) {
					if it.(map[string]any)["transaction"].(map[string]any)["kind"] != "staff_action" {
						n++
					}
				}
				return n
			}
			before := movements()
			b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			after := movements()
			require.Equal(t, before+2, after, "the deposit and the transfer made before publication are observed; the screened ones are not")
			// The cursor moved with the batch: a second run evaluates nothing.
			run := b.must(200, b.do("POST", "/v1/risk/observer/run", officer, nil))
			require.Equal(t, float64(0), run.body["delivered"], string(run.raw))
			require.Equal(t, after, movements())
		})
	}
}

// withRiskExamples adds the risk routes' examples to requestExamples'. A
// rule set is published once: 777.77 exactly is reviewed, so a case can
// be made on demand and nothing else the examples move is touched.
func withRiskExamples(b *testBank, m map[string]example) map[string]example {
	admin := testAdminToken
	draft := func() map[string]any {
		return map[string]any{"description": "example", "time_zone": "Asia/Shanghai",
			"rules":      []any{map[string]any{"name": "exact", "expr": "amount == 777.77", "score": 50}},
			"aggregates": []any{map[string]any{"name": "n", "entity": "account", "side": "from", "measure": "count", "window": "1h"}},
			"thresholds": map[string]any{"review": 40, "block_and_review": 90, "decline": 200}}
	}
	published := false
	confirmedCase := func(close bool) string {
		if !published {
			v := b.must(201, b.do("POST", "/v1/risk/rule-sets", admin, draft())).str("id")
			b.must(200, b.do("POST", "/v1/risk/rule-sets/"+v+"/publish", admin, nil))
			published = true
		}
		customer := b.onboard(admin)
		a := b.openAccount(admin, customer)
		b.must(201, b.do("POST", "/v1/deposits", admin, map[string]any{"account_id": a, "amount": cny("1000.00")}))
		b.must(201, b.do("POST", "/v1/transfers", admin, map[string]any{"from_account_id": a, "to_account_id": b.openAccount(admin, b.onboard(admin)), "amount": cny("777.77")}))
		cs := b.must(200, b.do("GET", "/v1/risk/cases?customer_id="+customer, admin, nil)).body["items"].([]any)
		id := cs[0].(map[string]any)["id"].(string)
		if close {
			b.must(200, b.do("POST", "/v1/risk/cases/"+id+"/updates", admin, map[string]any{"status": "closed", "outcome": "confirmed"}))
		}
		return id
	}
	m["POST /v1/risk/rule-sets/check"] = func() (string, map[string]any, []string) { return "/v1/risk/rule-sets/check", draft(), nil }
	m["POST /v1/risk/rule-sets"] = func() (string, map[string]any, []string) { return "/v1/risk/rule-sets", draft(), nil }
	m["PUT /v1/risk/rule-sets/{id}"] = func() (string, map[string]any, []string) {
		id := b.must(201, b.do("POST", "/v1/risk/rule-sets", admin, draft())).str("id")
		return "/v1/risk/rule-sets/" + id, draft(), nil
	}
	m["POST /v1/risk/snoozes"] = func() (string, map[string]any, []string) {
		return "/v1/risk/snoozes", map[string]any{"rule": "exact", "entity": "c-1", "until": b.srv.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"reason": "known payroll"}, nil
	}
	m["POST /v1/risk/cases/{id}/updates"] = func() (string, map[string]any, []string) {
		return "/v1/risk/cases/" + confirmedCase(false) + "/updates", map[string]any{"assignee": "ivy", "comment": "looking",
			"attachment": map[string]any{"ref": "dms://1", "name": "statement"}, "status": "investigating"}, nil
	}
	m["POST /v1/risk/cases/{id}/suspicious-report"] = func() (string, map[string]any, []string) {
		return "/v1/risk/cases/" + confirmedCase(true) + "/suspicious-report", map[string]any{"narrative": "exact repeated amounts"}, nil
	}
	m["POST /v1/risk/indicators"] = func() (string, map[string]any, []string) {
		return "/v1/risk/indicators", map[string]any{"name": fmt.Sprintf("backlog_%d", keySeq.Add(1)), "description": "open cases",
			"figure": "risk.case_backlog", "direction": "above", "warning": "10", "breach": "20"}, nil
	}
	m["PUT /v1/risk/indicators/{id}/thresholds"] = func() (string, map[string]any, []string) {
		id := b.must(201, b.do("POST", "/v1/risk/indicators", admin, map[string]any{"name": fmt.Sprintf("limit_%d", keySeq.Add(1)),
			"figure": "risk.case_backlog", "direction": "above", "warning": "10", "breach": "20"})).str("id")
		return "/v1/risk/indicators/" + id + "/thresholds", map[string]any{"warning": "15", "breach": "30"}, nil
	}
	return m
}
