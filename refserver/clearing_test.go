package refserver

import (
	"bytes"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// upload posts a file body (XML or CSV) with a fresh Idempotency-Key.
func (b *testBank) upload(path, token, contentType string, body []byte) resp {
	b.t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", "upload-"+time.Now().Format(time.RFC3339Nano))
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	out := resp{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if len(out.raw) > 0 && out.raw[0] == '{' {
		require.NoError(b.t, jsonUnmarshal(out.raw, &out.body), string(out.raw))
	}
	return out
}

func TestInterbankClearingEndToEnd(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, fin := b.staff("teller"), b.staff("finance")
			alice := b.onboard(teller)
			a1 := b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1000.00")}))

			// Out: debited at once, pending clearing.
			out := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1,
				"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"},
				"amount":      cny("100.00"), "description": "invoice 7"}))
			require.Equal(t, "pending_clearing", out.str("status"))
			require.Equal(t, "interbank", out.str("kind"))
			require.Equal(t, "900.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))

			// Batched into a pacs.008, then settled.
			batch := b.must(201, b.do("POST", "/v1/clearing/batches", fin, map[string]any{"currency": "CNY"}))
			require.Contains(t, batch.str("message"), "urn:iso:std:iso:20022:tech:xsd:pacs.008")
			require.Contains(t, batch.body["transfer_ids"], out.str("id"))
			require.Equal(t, "batched", b.must(200, b.do("GET", "/v1/transfers/"+out.str("id"), teller, nil)).str("status"))
			b.must(200, b.do("POST", "/v1/clearing/batches/"+batch.str("id")+"/settle", fin, nil))
			require.Equal(t, "settled", b.must(200, b.do("GET", "/v1/transfers/"+out.str("id"), teller, nil)).str("status"))

			// In: one credit to alice's account, one to an unknown account
			// that goes back in a pacs.004.
			number := b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("number")
			credit := func(ref, account, amount string) iso20022.CreditTransfer {
				return iso20022.CreditTransfer{EndToEndID: ref, TransactionID: ref, Amount: money.MustParse(amount, "CNY"),
					ChargeBearer: iso20022.ChargesSLEV, Debtor: iso20022.Party{Name: "Zhang San"},
					DebtorAgent: iso20022.Agent{MemberID: "0102"}, CreditorAgent: iso20022.Agent{BIC: BankBIC},
					Creditor: iso20022.Party{Name: "Alice"}, CreditorAccount: iso20022.Account{Other: account}}
			}
			var msg bytes.Buffer
			require.NoError(t, iso20022.WriteCreditTransfer(&msg, iso20022.CreditTransferBatch{
				Header: iso20022.GroupHeader{MessageID: "CH-IN-" + storage, CreatedAt: time.Now().UTC(),
					NumberOfTransactions: 2, TotalAmount: money.MustParse("550.00", "CNY"),
					SettlementDate: calendar.DateOf(time.Now()), SettlementMethod: iso20022.SettlementClearing},
				Transactions: []iso20022.CreditTransfer{credit("INV-1", number, "500.00"), credit("INV-2", "6200000000000000", "50.00")},
			}))
			in := b.upload("/v1/clearing/inbound", fin, "application/xml", msg.Bytes())
			require.Equal(t, 200, in.status, string(in.raw))
			require.Len(t, in.body["credited"], 1)
			require.Len(t, in.body["returned"], 1)
			require.Contains(t, in.str("return_message"), "pacs.004")
			require.Equal(t, "1400.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))

			// The same file again posts nothing; a broken file changes nothing.
			again := b.upload("/v1/clearing/inbound", fin, "application/xml", msg.Bytes())
			require.Equal(t, 200, again.status, string(again.raw))
			require.Equal(t, true, again.body["replayed"])
			bad := b.upload("/v1/clearing/inbound", fin, "application/xml", []byte("<Document><broken"))
			require.Equal(t, 400, bad.status, string(bad.raw))
			require.Equal(t, "invalid-message", bad.problemType())
			require.Equal(t, "1400.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))

			// A customer may not upload clearing files.
			require.Equal(t, 403, b.upload("/v1/clearing/inbound", teller, "application/xml", msg.Bytes()).status)
		})
	}
}

func TestReconciliationUploadsTheBanksStatement(t *testing.T) {
	data, err := os.ReadFile("../../shared/testdata/iso20022/camt053.001.02-statement.xml")
	if os.IsNotExist(err) {
		t.Skip("../shared/testdata is absent: the shared camt.053 statement is read in place")
	}
	require.NoError(t, err)
	t.Parallel()
	b := newBank(t, "memory")
	fin := b.staff("finance")
	// The statement is in EUR: reconcile it against the EUR settlement
	// account. Nothing in this new bank's ledger matches it, so every booked
	// line is a break on the statement side; a dry run records nothing.
	accts := b.must(200, b.do("GET", "/v1/accounts?currency=EUR&product=internal", testAdminToken, nil)).body["items"].([]any)
	var settlement string
	for _, a := range accts {
		if a.(map[string]any)["code"] == "settlement" {
			settlement = a.(map[string]any)["id"].(string)
		}
	}
	require.NotEmpty(t, settlement)
	dry := b.upload("/v1/reconciliation/statements?dry_run=true&account_id="+settlement, fin, "application/xml", data)
	require.Equal(t, 200, dry.status, string(dry.raw))
	require.Equal(t, true, dry.body["dry_run"])
	require.NotEmpty(t, dry.body["unmatched_on_statement"])
	require.Empty(t, dry.body["matches"])

	real := b.upload("/v1/reconciliation/statements?account_id="+settlement, fin, "application/xml", data)
	require.Equal(t, 200, real.status, string(real.raw))
	again := b.upload("/v1/reconciliation/statements?account_id="+settlement, fin, "application/xml", data)
	require.Equal(t, true, again.body["replayed"], "re-importing a statement returns the stored report")
	require.Equal(t, real.str("id"), again.str("id"))
}

func TestEndOfDayAdvancesTheBusinessDate(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller := b.staff("teller")
			alice := b.onboard(teller)
			a1 := b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("36000.00")}))
			td := b.must(201, b.do("POST", "/v1/accounts", teller, map[string]any{"customer_id": alice, "product": "time", "currency": "CNY",
				"term_months": 12, "principal": cny("10000.00"), "funding_account_id": a1}))
			require.Equal(t, "time", td.str("product"))
			require.Equal(t, "10000.00", td.str("balance", "value"))
			require.Equal(t, "26000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			// No withdrawal, transfer or hold takes money out before the term.
			for _, r := range []resp{
				b.do("POST", "/v1/withdrawals", teller, map[string]any{"account_id": td.str("id"), "amount": cny("1.00")}),
				b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": td.str("id"), "to_account_id": a1, "amount": cny("1.00")}),
				b.do("POST", "/v1/holds", teller, map[string]any{"account_id": td.str("id"), "amount": cny("1.00")}),
			} {
				require.Equal(t, 422, r.status, string(r.raw))
				require.Equal(t, "time-deposit-locked", r.problemType())
			}
			require.Equal(t, "10000.00", b.must(200, b.do("GET", "/v1/accounts/"+td.str("id"), teller, nil)).str("balance", "value"))
			// One partial early withdrawal, leaving at least 50.00: on the
			// opening day it earns nothing (no day held), so 4 000.00 goes
			// back and 6 000.00 stays; a second is refused.
			tooMuch := b.do("POST", "/v1/accounts/"+td.str("id")+"/partial-withdrawal", teller, map[string]any{"amount": cny("9950.01")})
			require.Equal(t, 400, tooMuch.status, string(tooMuch.raw))
			part := b.must(200, b.do("POST", "/v1/accounts/"+td.str("id")+"/partial-withdrawal", teller, map[string]any{"amount": cny("4000.00")}))
			require.Equal(t, "6000.00", part.str("balance", "value"))
			require.Equal(t, "30000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			second := b.do("POST", "/v1/accounts/"+td.str("id")+"/partial-withdrawal", teller, map[string]any{"amount": cny("100.00")})
			require.Equal(t, 422, second.status, string(second.raw))
			require.Equal(t, "partial-withdrawal-limit", second.problemType())
			// A held-at-maturity renewal is refused while the deposit runs.
			renew := b.do("POST", "/v1/accounts/"+td.str("id")+"/renew", teller, map[string]any{"term_months": 6})
			require.Equal(t, 409, renew.status, string(renew.raw))

			before := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			require.Equal(t, 403, b.do("POST", "/v1/end-of-day", teller, nil).status, "only admins run end of day")
			sum := b.must(200, b.do("POST", "/v1/end-of-day", testAdminToken, nil))
			require.Equal(t, before, sum.str("business_date"))
			require.Greater(t, sum.body["account_days_accrued"], float64(0))
			after := b.must(200, b.do("GET", "/v1/business-date", teller, nil)).str("business_date")
			require.Equal(t, sum.str("next_business_date"), after)
			require.True(t, strings.Compare(after, before) > 0, "the business date moved from %s to %s", before, after)
			// The bank-wide end of day ran its steps in order, the
			// business-date advance last, and reports them.
			var names []string
			for _, st := range sum.body["steps"].([]any) {
				step := st.(map[string]any)
				names = append(names, step["name"].(string))
				require.Equal(t, "done", step["status"], step["name"])
				require.Equal(t, float64(1), step["attempts"], step["name"])
			}
			require.Equal(t, []string{"wealth.day", "credit.loans", "credit.provisions", "ledger.deposits", "fx.revaluation", "channel.atm", "channel.limits", "risk.indicators", "channel.prune", "events.prune", "ledger.advance"}, names)
			report := b.must(200, b.do("GET", "/v1/end-of-day/"+before, testAdminToken, nil))
			require.Equal(t, true, report.body["done"])
			require.Equal(t, sum.body["steps"], report.body["steps"])
			require.Equal(t, sum.body["account_days_accrued"], report.body["ledger"].(map[string]any)["account_days_accrued"])
			pending := b.must(200, b.do("GET", "/v1/end-of-day/"+after, testAdminToken, nil))
			require.Equal(t, false, pending.body["done"])
			require.Nil(t, pending.body["ledger"], "the new date's run has not started")
			require.Equal(t, "pending", pending.body["steps"].([]any)[0].(map[string]any)["status"])
			require.Equal(t, 403, b.do("GET", "/v1/end-of-day/"+before, teller, nil).status)
			require.Equal(t, 404, b.do("GET", "/v1/end-of-day/2026-02-30", testAdminToken, nil).status, "no such date")
			// Closing the deposit early pays it out to the demand account
			// (the penalty rule: the demand rate for the days held).
			closed := b.must(200, b.do("POST", "/v1/accounts/"+td.str("id")+"/close", teller, nil))
			require.Equal(t, "closed", closed.str("status"))
			require.Equal(t, "0.00", closed.str("balance", "value"))
			back := decimal.RequireFromString(b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			require.True(t, back.GreaterThanOrEqual(decimal.RequireFromString("36000.00")), "principal back, with any demand-rate interest: %s", back)
			// The books still balance.
			tb := b.must(200, b.do("GET", "/v1/reports/trial-balance", testAdminToken, nil))
			for _, c := range tb.body["currencies"].([]any) {
				line := c.(map[string]any)
				require.Equal(t, line["debits"], line["credits"])
			}
		})
	}
}
