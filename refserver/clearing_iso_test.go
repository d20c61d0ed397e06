package refserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// notification is a camt.054 of one booked credit; ccy "" leaves out the
// account's currency, so only the entry says it.
func notification(id, ccy, entryCcy, amount, day string) []byte {
	acctCcy := ""
	if ccy != "" {
		acctCcy = "<Ccy>" + ccy + "</Ccy>"
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>M-` + id + `</MsgId><CreDtTm>` + day + `T18:00:00Z</CreDtTm></GrpHdr>
<Ntfctn><Id>` + id + `</Id><Acct><Id><Othr><Id>NOSTRO</Id></Othr></Id>` + acctCcy + `</Acct>
<Ntry><Amt Ccy="` + entryCcy + `">` + amount + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<ValDt><Dt>` + day + `</Dt></ValDt></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`)
}

// A statement in a currency the bank never set up reconciles: without an
// account_id it goes to the settlement account in its currency, made for
// it; a camt.052 or camt.054 goes where a camt.053 does.
func TestStatementsInAnyCurrencyReconcile(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			fin := b.staff("finance")
			r := b.upload("/v1/reconciliation/statements?dry_run=true", fin, "application/xml", notification("N-SGD", "SGD", "SGD", "75.50", "2026-11-27"))
			require.Equal(t, 200, r.status, string(r.raw))
			acct := b.must(200, b.do("GET", "/v1/accounts/"+r.str("account_id"), testAdminToken, nil))
			require.Equal(t, "SGD", acct.str("currency"))
			require.Equal(t, "settlement", acct.str("code"))
			require.Equal(t, "75.50", r.str("unmatched_on_statement_total", "value"))

			// The same account the second time, and the format may say so.
			again := b.upload("/v1/reconciliation/statements?format=camt054", fin, "application/xml", notification("N-SGD-2", "SGD", "SGD", "1.00", "2026-11-27"))
			require.Equal(t, 200, again.status, string(again.raw))
			require.Equal(t, r.str("account_id"), again.str("account_id"))
			wrong := b.upload("/v1/reconciliation/statements?format=camt052", fin, "application/xml", notification("N-SGD-3", "SGD", "SGD", "1.00", "2026-11-27"))
			requireRefused(t, wrong, 400, "invalid-input", "format")
			csv := []byte("value_date,amount,currency,direction,reference,description\n2026-11-27,3.00,SGD,C,R1,\n")
			viaCSV := b.upload("/v1/reconciliation/statements?format=csv&statement_id=csv-sgd", fin, "text/csv", csv)
			require.Equal(t, 200, viaCSV.status, string(viaCSV.raw))
			require.Equal(t, r.str("account_id"), viaCSV.str("account_id"))

			// A statement naming no currency at all (no Ccy, no lines) goes
			// to the CNY settlement account, as every statement used to.
			empty := strings.Replace(string(notification("N-EMPTY", "", "CNY", "1.00", "2026-11-27")), "<Ntry>", "<!--", 1)
			empty = strings.Replace(empty, "</Ntry>", "-->", 1)
			none := b.upload("/v1/reconciliation/statements?dry_run=true", fin, "application/xml", []byte(empty))
			require.Equal(t, 200, none.status, string(none.raw))
			cnyAcct := b.must(200, b.do("GET", "/v1/accounts/"+none.str("account_id"), testAdminToken, nil))
			require.Equal(t, "CNY", cnyAcct.str("currency"))
			require.Equal(t, "settlement", cnyAcct.str("code"))
		})
	}
}

// Wherever a currency differs from the account's — the statement's
// account currency, or a line's in XML or CSV — the answer is the same
// 422 currency-mismatch naming the field (a CSV line's was a 400).
func TestCurrencyMismatchIsOneProblem(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			fin := b.staff("finance")
			cnyNostro := b.upload("/v1/reconciliation/statements?dry_run=true", fin, "application/xml", notification("N-CNY", "CNY", "CNY", "1.00", "2026-11-27"))
			require.Equal(t, 200, cnyNostro.status, string(cnyNostro.raw))
			to := "/v1/reconciliation/statements?account_id=" + cnyNostro.str("account_id")

			requireRefused(t, b.upload(to, fin, "application/xml", notification("N-EUR", "EUR", "EUR", "1.00", "2026-11-27")),
				422, "currency-mismatch", "currency")
			requireRefused(t, b.upload(to, fin, "application/xml", notification("N-EUR-2", "", "EUR", "1.00", "2026-11-27")),
				422, "currency-mismatch", "entries[0].amount")
			csv := []byte("value_date,amount,currency,direction,reference,description\n2026-11-27,1.00,USD,C,R1,\n")
			requireRefused(t, b.upload(to+"&format=csv&statement_id=csv-usd", fin, "text/csv", csv),
				422, "currency-mismatch", "entries[0].amount")
		})
	}
}

// pacs.002 over HTTP: a rejected transfer goes back to the customer with
// the reason; a batch the clearing house accepts settles.
func TestPaymentStatusReports(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			b := newBank(t, storage)
			teller, fin := b.staff("teller"), b.staff("finance")
			alice := b.onboard(teller)
			a1 := b.openAccount(teller, alice)
			b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1000.00")}))
			send := func(amount string) (string, string) {
				out := b.must(201, b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": a1,
					"to_external": map[string]any{"bank_code": "0102", "account_number": "6222000011112222", "name": "Li Wei"},
					"amount":      cny(amount)}))
				batch := b.must(201, b.do("POST", "/v1/clearing/batches", fin, map[string]any{"currency": "CNY"}))
				return strings.ReplaceAll(out.str("id"), "-", ""), batch.str("message_id")
			}
			report := func(msgID, batch, body string) []byte {
				return []byte(fmt.Sprintf(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>%s</FIToFIPmtStsRpt></Document>`, msgID, batch, body))
			}

			e2e, batch := send("300.00")
			require.Equal(t, "700.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
			rj := b.upload("/v1/clearing/inbound", fin, "application/xml", report("STS-RJ-"+storage, batch,
				`<GrpSts>PART</GrpSts></OrgnlGrpInfAndSts><TxInfAndSts><OrgnlEndToEndId>`+e2e+`</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></StsRsnInf></TxInfAndSts>`))
			require.Equal(t, 200, rj.status, string(rj.raw))
			require.Equal(t, "pacs.002", rj.str("kind"))
			require.Len(t, rj.body["returned"], 1)
			require.Equal(t, "AC04", rj.body["returned"].([]any)[0].(map[string]any)["reason"])
			require.Equal(t, "1000.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))

			_, batch = send("120.00")
			ok := b.upload("/v1/clearing/inbound", fin, "application/xml", report("STS-OK-"+storage, batch, `<GrpSts>ACSC</GrpSts></OrgnlGrpInfAndSts>`))
			require.Equal(t, 200, ok.status, string(ok.raw))
			require.Len(t, ok.body["settled"], 1)
			require.Len(t, ok.body["settled_batches"], 1)
			require.Equal(t, "880.00", b.must(200, b.do("GET", "/v1/accounts/"+a1, teller, nil)).str("balance", "value"))
		})
	}
}

// The shared camt.052 of a Swiss bank reconciles against a CHF settlement
// account the bank never set up.
func TestTheSwissIntradayReportReconciles(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "testdata")
	if env := os.Getenv("BANKKIT_SHARED_TESTDATA"); env != "" {
		dir = env
	}
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		t.Skipf("%s is absent: the shared files are read in place", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "iso20022", "camt052.001.04-postfinance-intraday.xml"))
	require.NoError(t, err)
	t.Parallel()
	b := newBank(t, "memory")
	r := b.upload("/v1/reconciliation/statements?dry_run=true", b.staff("finance"), "application/xml", data)
	require.Equal(t, 200, r.status, string(r.raw))
	require.Equal(t, "CHF", b.must(200, b.do("GET", "/v1/accounts/"+r.str("account_id"), testAdminToken, nil)).str("currency"))
	require.Len(t, r.body["unmatched_on_statement"], 2)
	// Two debits at the correspondent: -103.00 - 913.00 = -1016.00.
	require.Equal(t, "-1016.00", r.str("unmatched_on_statement_total", "value"))
}
