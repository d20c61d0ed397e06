package refserver

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/risk"
)

// TestManualJournalEntryHeldUntilApproved: a manual journal entry by a
// member of finance waits for a second person (not its maker, not a role
// that may not post one), then posts once; a limit's thresholds change the
// same way. Bad entries name their field and post nothing.
func TestManualJournalEntryHeldUntilApproved(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newCheckedBank(t, storage)
			teller := b.staff("teller")
			maker := b.staff("finance")
			checker := b.staff("finance")
			officer := b.staff("risk_officer")
			officer2 := b.staff("risk_officer")
			alice := b.openAccount(teller, b.onboard(teller))
			bob := b.openAccount(teller, b.onboard(teller))
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": alice, "amount": cny("5000.00")}))
			balance := func(acct string) string {
				return b.must(200, b.do("GET", "/v1/accounts/"+acct, teller, nil)).str("balance", "value")
			}

			entry := map[string]any{"description": "correct a mis-posted fee", "postings": []any{
				map[string]any{"account_id": alice, "side": "debit", "amount": cny("120.00")},
				map[string]any{"account_id": bob, "side": "credit", "amount": cny("120.00")}}}
			held := b.must(202, b.do("POST", "/v1/journal-entries", maker, entry, "Idempotency-Key", "je-1"))
			require.Equal(t, "journal-entries.create", held.str("permission"))
			require.Equal(t, "5000.00", balance(alice), "held: nothing posted")
			require.Equal(t, 403, b.do("POST", "/v1/approvals/"+held.str("id")+"/approve", maker, nil).status, "not its maker")
			require.Equal(t, 403, b.do("POST", "/v1/approvals/"+held.str("id")+"/approve", teller, nil).status, "a teller may not post one")
			ok := b.must(200, b.do("POST", "/v1/approvals/"+held.str("id")+"/approve", checker, nil))
			require.EqualValues(t, 201, ok.body["outcome"].(map[string]any)["status"], string(ok.raw))
			require.Equal(t, "journal", ok.str("outcome", "body", "kind"))
			require.Equal(t, "4880.00", balance(alice))
			require.Equal(t, "120.00", balance(bob))
			require.Equal(t, 409, b.do("POST", "/v1/approvals/"+held.str("id")+"/approve", checker, nil).status)
			require.Equal(t, "4880.00", balance(alice), "posted once")

			// An unbalanced entry is held too (the policy holds every one);
			// approved, it runs and is refused by the ledger, posting nothing.
			bad := map[string]any{"description": "x", "postings": []any{
				map[string]any{"account_id": alice, "side": "debit", "amount": cny("10.00")},
				map[string]any{"account_id": bob, "side": "credit", "amount": cny("9.00")}}}
			h2 := b.must(202, b.do("POST", "/v1/journal-entries", maker, bad, "Idempotency-Key", "je-2"))
			r := b.must(200, b.do("POST", "/v1/approvals/"+h2.str("id")+"/approve", checker, nil))
			require.EqualValues(t, 400, r.body["outcome"].(map[string]any)["status"], string(r.raw))
			require.Equal(t, "4880.00", balance(alice))

			// Bad input is held like any entry (the policy holds them all)
			// and answered when approved, naming the field.
			for field, body := range map[string]map[string]any{
				"postings":               {"description": "x", "postings": []any{}},
				"description":            {"postings": entry["postings"]},
				"postings[1].side":       {"description": "x", "postings": []any{entry["postings"].([]any)[0], map[string]any{"account_id": bob, "side": "up", "amount": cny("120.00")}}},
				"postings[0].account_id": {"description": "x", "postings": []any{map[string]any{"account_id": "nope", "side": "debit", "amount": cny("1.00")}, entry["postings"].([]any)[1]}},
			} {
				h := b.must(202, b.do("POST", "/v1/journal-entries", maker, body))
				r := b.must(200, b.do("POST", "/v1/approvals/"+h.str("id")+"/approve", checker, nil))
				require.EqualValues(t, 400, r.body["outcome"].(map[string]any)["status"], "%s: %s", field, r.raw)
				require.Contains(t, string(r.raw), `"field":"`+field+`"`)
			}

			// A limit's thresholds: held, then changed by a second officer.
			// (Defining one is held as well: defined here through the service.)
			lim, err := b.srv.riskState.svc.DefineIndicator(context.Background(), risk.IndicatorRequest{Name: "backlog",
				Figure: "risk.case_backlog", Direction: risk.Above, Warning: decimal.NewFromInt(50), Breach: decimal.NewFromInt(100)})
			require.NoError(t, err)
			ch := b.must(202, b.do("PUT", "/v1/risk/indicators/"+lim.ID.String()+"/thresholds", officer, map[string]any{"warning": "10", "breach": "20"}))
			require.Equal(t, "risk.indicators.thresholds.set", ch.str("permission"))
			got := b.must(200, b.do("GET", "/v1/risk/indicators", officer, nil)).body["items"].([]any)[0].(map[string]any)
			require.Equal(t, "50", got["warning"])
			done := b.must(200, b.do("POST", "/v1/approvals/"+ch.str("id")+"/approve", officer2, nil))
			require.EqualValues(t, 200, done.body["outcome"].(map[string]any)["status"], string(done.raw))
			got = b.must(200, b.do("GET", "/v1/risk/indicators", officer, nil)).body["items"].([]any)[0].(map[string]any)
			require.Equal(t, "10", got["warning"])
			require.Equal(t, "20", got["breach"])
		})
	}
}
