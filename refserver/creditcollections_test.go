package refserver

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLoanCollectionsOverHTTP works a disbursed loan through collections
// on both storages: actions and promises recorded as the caller and read
// back a page at a time; a restructuring decided through the product's
// chain and a write-off, each asked by one member of staff and refused to
// them as approver (403 maker-checker); a recovery on the
// written-off loan needs an Idempotency-Key and counts against what was
// written off. Roles are checked (a teller, a customer: 403), another
// customer's loan is not found, bad input names its field.
func TestLoanCollectionsOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer, risk := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
			erin := b.borrower(teller)
			lid := b.loan(officer, risk, erin, "COLL-"+storage, "20000.00")
			b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			loan := "/v1/credit/loans/" + lid

			require.Empty(t, b.must(200, b.do("GET", "/v1/credit/collections", officer, nil)).body["items"], "nothing past due yet")
			r := b.do("GET", "/v1/credit/collections?bucket=2-3", officer, nil)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "bucket", fieldOf(r))
			require.Equal(t, 403, b.do("GET", "/v1/credit/collections", teller, nil).status)
			require.Equal(t, 403, b.do("GET", "/v1/credit/collections", erin.token, nil).status)

			// Actions, as the caller, paged by number.
			for i := range 3 {
				a := b.must(201, b.do("POST", loan+"/collection-actions", officer, map[string]any{"kind": "call", "outcome": "no_answer",
					"note": fmt.Sprintf("call %d", i+1)}))
				require.Equal(t, float64(i+1), a.body["number"])
				require.NotEmpty(t, a.str("by"))
			}
			r = b.do("POST", loan+"/collection-actions", officer, map[string]any{"kind": "fax", "outcome": "sent"})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "kind", fieldOf(r))
			require.Equal(t, 403, b.do("POST", loan+"/collection-actions", teller, map[string]any{"kind": "sms", "outcome": "sent"}).status)
			p1 := b.must(200, b.do("GET", loan+"/collection-actions?limit=2", officer, nil))
			require.Len(t, p1.body["items"], 2)
			require.Equal(t, "2", p1.str("next"))
			p2 := b.must(200, b.do("GET", loan+"/collection-actions?limit=2&after="+p1.str("next"), officer, nil))
			require.Len(t, p2.body["items"], 1)
			require.Equal(t, "call 3", p2.body["items"].([]any)[0].(map[string]any)["note"])
			require.Equal(t, "", p2.str("next"))
			l := b.must(200, b.do("GET", loan, officer, nil))
			require.Equal(t, float64(3), l.body["collections"].(map[string]any)["action_count"])
			require.NotContains(t, l.body["collections"], "actions", "the loan holds the last action only")
			require.Equal(t, 404, b.do("GET", "/v1/credit/loans/01a21c2f-0000-7000-8000-000000000000/collection-actions", officer, nil).status)

			// The collections desk's own role: the queue, actions and
			// loans, but no applications and no decisions.
			collector := b.staff("collector")
			b.must(200, b.do("GET", "/v1/credit/collections", collector, nil))
			b.must(201, b.do("POST", loan+"/collection-actions", collector, map[string]any{"kind": "sms", "outcome": "sent"}))
			b.must(200, b.do("GET", loan+"/statement", collector, nil))
			require.Equal(t, 403, b.do("GET", "/v1/credit/applications", collector, nil).status)
			require.Equal(t, 403, b.do("POST", loan+"/write-off/approve", collector, nil).status)
			require.Equal(t, 403, b.do("POST", loan+"/classification/downgrade", collector, map[string]any{"to": "loss", "reason": "x"}).status)

			// A promise to pay; one open at a time.
			today := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			r = b.do("POST", loan+"/promises", officer, map[string]any{"amount": map[string]any{"value": "100.00", "currency": "USD"}, "date": today})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "amount.currency", fieldOf(r))
			pr := b.must(201, b.do("POST", loan+"/promises", officer, map[string]any{"amount": cny("1000.00"), "date": today}))
			require.Equal(t, "open", pr.str("status"))
			require.Equal(t, 409, b.do("POST", loan+"/promises", officer, map[string]any{"amount": cny("5.00"), "date": today}).status)
			ps := b.must(200, b.do("GET", loan+"/promises", officer, nil)).body["items"].([]any)
			require.Len(t, ps, 1)

			// A restructuring: proposed by the officer, decided through the
			// product's chain (up to 50,000, one loan officer), never by
			// its proposer.
			r = b.do("POST", loan+"/restructuring", officer, map[string]any{"term": 0, "reason": "hardship"})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "term", fieldOf(r))
			prop := b.must(200, b.do("POST", loan+"/restructuring", officer, map[string]any{"term": 24, "reason": "lost job, new one in May"}))
			proposal := prop.body["collections"].(map[string]any)["proposal"].(map[string]any)
			require.Equal(t, "pending", proposal["status"])
			require.Len(t, proposal["approval"].(map[string]any)["steps"], 1)
			require.Equal(t, 403, b.do("POST", loan+"/restructuring/approve", teller, nil).status, "a teller decides no step")
			own := b.do("POST", loan+"/restructuring/approve", officer, nil)
			require.Equal(t, 403, own.status, string(own.raw))
			require.Equal(t, "maker-checker", own.problemType())
			require.Equal(t, 403, b.do("POST", loan+"/restructuring/approve", risk, nil).status, "the step is a loan officer's")
			officer2 := b.staff("loan_officer")
			r = b.do("POST", loan+"/restructuring/decisions", officer2, map[string]any{"step": 2, "verdict": "approve"})
			require.Equal(t, 409, r.status, string(r.raw))
			require.Equal(t, "step", fieldOf(r))
			r = b.do("POST", loan+"/restructuring/decisions", officer2, map[string]any{"step": 1, "verdict": "return"})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "opinion", fieldOf(r))
			require.Equal(t, 12, len(b.must(200, b.do("GET", loan+"/schedule", officer, nil)).body["instalments"].([]any)), "nothing applied yet")
			done := b.must(200, b.do("POST", loan+"/restructuring/decisions", officer2, map[string]any{"step": 1, "verdict": "approve", "opinion": "affordable"}))
			coll := done.body["collections"].(map[string]any)
			require.Equal(t, float64(1), coll["restructured"])
			decided := coll["restructurings"].([]any)[0].(map[string]any)
			require.Equal(t, "approved", decided["status"])
			require.Equal(t, "affordable", decided["approval"].(map[string]any)["decisions"].([]any)[0].(map[string]any)["opinion"])
			sched := b.must(200, b.do("GET", loan+"/schedule", officer, nil)).body["instalments"].([]any)
			require.Len(t, sched, 24)
			require.Equal(t, 403, b.do("POST", loan+"/restructuring/decisions", erin.token, map[string]any{"step": 1, "verdict": "approve"}).status, "staff only")

			// A write-off: asked by the officer, approved by a risk officer.
			require.Equal(t, 409, b.do("POST", loan+"/write-off/approve", risk, nil).status, "nothing asked")
			b.must(200, b.do("POST", loan+"/write-off", officer, map[string]any{"reason": "fled abroad"}))
			r = b.do("POST", loan+"/write-off", officer, map[string]any{"reason": ""})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "reason", fieldOf(r))
			b.must(200, b.do("POST", loan+"/write-off", officer, map[string]any{"reason": "fled abroad"}))
			require.Equal(t, 403, b.do("POST", loan+"/write-off/approve", officer, nil).status)
			off := b.must(200, b.do("POST", loan+"/write-off/approve", risk, nil))
			require.Equal(t, "written_off", off.str("status"))
			written := off.str("write_off", "principal", "value")
			require.Equal(t, "20000.00", written)

			// Recoveries: keyed, replayed, bounded by what was written off.
			noKey := b.do("POST", loan+"/recoveries", teller, map[string]any{"amount": cny("300.00"), "source": "cash"}, "Idempotency-Key", "")
			require.Equal(t, 400, noKey.status, string(noKey.raw))
			rec := b.must(201, b.do("POST", loan+"/recoveries", teller, map[string]any{"amount": cny("300.00"), "source": "cash"}, "Idempotency-Key", "rec-1"))
			require.Equal(t, "recovery", rec.str("repayment", "kind"))
			again := b.must(201, b.do("POST", loan+"/recoveries", teller, map[string]any{"amount": cny("300.00"), "source": "cash"}, "Idempotency-Key", "rec-1"))
			require.Equal(t, rec.str("repayment", "id"), again.str("repayment", "id"))
			require.Equal(t, "300.00", again.str("loan", "write_off", "recovered", "value"), "a replay recovers nothing more")
			r = b.do("POST", loan+"/recoveries", teller, map[string]any{"amount": cny("999999.00"), "source": "cash"})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "amount", fieldOf(r))
			frank := b.borrower(teller)
			require.Equal(t, 404, b.do("POST", loan+"/recoveries", frank.token, map[string]any{"amount": cny("1.00")}).status, "not frank's loan")
			require.Equal(t, 409, b.do("POST", loan+"/collection-actions", officer, map[string]any{"kind": "sms", "outcome": "sent"}).status,
				"collections work on active loans")
		})
	}
}

// TestCreditRiskReportsOverHTTP reads the risk measures of a book of one
// active loan of 20,000.00: a provision of 1% while normal, its expected
// loss, its share of the book (100%, a breach of the 10% customer limit)
// and the migration matrix; roles and bad input are checked.
func TestCreditRiskReportsOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer, risk := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer")
			gina := b.borrower(teller)
			lid := b.loan(officer, risk, gina, "RISK-"+storage, "20000.00")
			b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			fin, analyst := b.staff("finance"), b.staff("analyst")

			prov := b.must(200, b.do("GET", "/v1/credit/reports/provisions", fin, nil)).body["items"].([]any)
			require.Len(t, prov, 1)
			line := prov[0].(map[string]any)
			require.Equal(t, "normal", line["classification"])
			require.Equal(t, "20000.00", line["outstanding"].(map[string]any)["value"])
			require.Equal(t, "200.00", line["provision"].(map[string]any)["value"], "1% of 20,000.00")

			el := b.must(200, b.do("GET", "/v1/credit/reports/expected-loss", analyst, nil)).body["items"].([]any)
			require.Len(t, el, 1)
			require.Equal(t, "20000.00", el[0].(map[string]any)["ead"].(map[string]any)["value"])
			require.Equal(t, "0.45", el[0].(map[string]any)["lgd"])

			conc := b.must(200, b.do("GET", "/v1/credit/reports/concentration?by=customer&top=5", risk, nil)).body["items"].([]any)
			require.Len(t, conc, 1)
			require.Equal(t, gina.id, conc[0].(map[string]any)["customer_id"])
			require.Equal(t, true, conc[0].(map[string]any)["breach"])
			r := b.do("GET", "/v1/credit/reports/concentration?by=grade", risk, nil)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "by", fieldOf(r))
			r = b.do("GET", "/v1/credit/reports/concentration?by=product&top=100000", risk, nil)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "top", fieldOf(r))

			today := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			r = b.do("GET", "/v1/credit/reports/migration?from="+today+"&to="+today, risk, nil)
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "to", fieldOf(r))
			mig := b.must(200, b.do("GET", "/v1/credit/reports/migration?from=2000-01-01&to="+today, risk, nil)).body["items"].([]any)
			require.Empty(t, mig, "the loan was not on the books in 2000")

			for _, who := range []string{teller, officer, gina.token} {
				require.Equal(t, 403, b.do("GET", "/v1/credit/reports/provisions", who, nil).status)
			}
		})
	}
}

// TestLoanClassificationOverHTTP classifies a loan by hand on both
// storages: a downgrade with a reason at once, an upgrade asked by one
// risk officer and refused to them as approver (403 maker-checker),
// approved by another; the history says who, why and who approved. Roles
// are checked, the customer reads their own loan's classification and no
// one else's (404), bad input names its field.
func TestLoanClassificationOverHTTP(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, officer, risk1, risk2 := b.staff("teller"), b.staff("loan_officer"), b.staff("risk_officer"), b.staff("risk_officer")
			erin, frank := b.borrower(teller), b.borrower(teller)
			lid := b.loan(officer, risk1, erin, "CLASS-"+storage, "20000.00")
			b.must(201, b.do("POST", "/v1/credit/loans/"+lid+"/disbursements", officer, nil))
			loan := "/v1/credit/loans/" + lid

			c := b.must(200, b.do("GET", loan+"/classification", officer, nil))
			require.Equal(t, "normal", c.str("classification"))
			require.Empty(t, c.body["history"])
			require.Equal(t, "normal", b.must(200, b.do("GET", loan+"/classification", erin.token, nil)).str("classification"), "her own loan")
			require.Equal(t, 404, b.do("GET", loan+"/classification", frank.token, nil).status, "not frank's")
			require.Equal(t, 404, b.do("GET", "/v1/credit/loans/01a21c2f-0000-7000-8000-000000000000/classification", officer, nil).status)

			down := map[string]any{"to": "substandard", "reason": "borrower's business closed"}
			require.Equal(t, 403, b.do("POST", loan+"/classification/downgrade", teller, down).status)
			require.Equal(t, 403, b.do("POST", loan+"/classification/downgrade", erin.token, down).status, "staff only")
			r := b.do("POST", loan+"/classification/downgrade", officer, map[string]any{"to": "grim", "reason": "x"})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "to", fieldOf(r))
			r = b.do("POST", loan+"/classification/downgrade", officer, map[string]any{"to": "substandard", "reason": ""})
			require.Equal(t, 400, r.status, string(r.raw))
			require.Equal(t, "reason", fieldOf(r))
			c = b.must(200, b.do("POST", loan+"/classification/downgrade", officer, down))
			require.Equal(t, "substandard", c.str("classification"))
			require.Equal(t, "substandard", c.str("floor"))
			r = b.do("POST", loan+"/classification/downgrade", officer, map[string]any{"to": "special_mention", "reason": "better"})
			require.Equal(t, 400, r.status, "a downgrade must be worse")
			require.Equal(t, "to", fieldOf(r))

			require.Equal(t, 409, b.do("POST", loan+"/classification/upgrade/approve", risk2, nil).status, "nothing asked")
			up := b.must(200, b.do("POST", loan+"/classification/upgrade", risk1, map[string]any{"to": "normal", "reason": "business reopened, paying"}))
			require.Equal(t, "normal", up.str("upgrade", "to"))
			require.Equal(t, "substandard", up.str("classification"), "not before approval")
			require.Equal(t, 403, b.do("POST", loan+"/classification/upgrade/approve", officer, nil).status, "a loan officer does not approve")
			own := b.do("POST", loan+"/classification/upgrade/approve", risk1, nil)
			require.Equal(t, 403, own.status, string(own.raw))
			require.Equal(t, "maker-checker", own.problemType())
			c = b.must(200, b.do("POST", loan+"/classification/upgrade/approve", risk2, nil))
			require.Equal(t, "normal", c.str("classification"))
			require.Equal(t, "", c.str("floor"))
			hist := c.body["history"].([]any)
			require.Len(t, hist, 2)
			first, second := hist[0].(map[string]any), hist[1].(map[string]any)
			require.Equal(t, []any{"normal", "substandard", "borrower's business closed"}, []any{first["from"], first["to"], first["reason"]})
			require.NotEmpty(t, first["by"])
			require.Nil(t, first["approved_by"])
			require.Equal(t, []any{"substandard", "normal", "business reopened, paying"}, []any{second["from"], second["to"], second["reason"]})
			require.NotEmpty(t, second["approved_by"])
			require.NotEqual(t, second["by"], second["approved_by"])
			require.Equal(t, c.body, b.must(200, b.do("GET", loan+"/classification", officer, nil)).body, "read back as it was answered")
		})
	}
}
