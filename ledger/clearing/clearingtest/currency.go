package clearingtest

import (
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// requireCurrencyMismatch checks that err is the one answer to a currency
// other than the account's, wherever it was found: ErrCurrencyMismatch
// first (so its kind and code are the error's), naming field.
func requireCurrencyMismatch(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	s, ok := fault.As(err)
	require.True(t, ok)
	require.Equal(t, "currency-mismatch", s.Code())
	require.Equal(t, fault.Unprocessable, s.Kind())
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}

// smallNotification is a camt.054 of one booked credit with a reference.
func smallNotification(ccy, amount, ref, day string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>N-` + ref + `</MsgId><CreDtTm>` + day + `T18:00:00Z</CreDtTm></GrpHdr>
<Ntfctn><Id>NTF-` + ref + `</Id><Acct><Id><Othr><Id>NOSTRO-` + ccy + `</Id></Othr></Id><Ccy>` + ccy + `</Ccy></Acct>
<Ntry><Amt Ccy="` + ccy + `">` + amount + `</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>` + day + `</Dt></BookgDt><ValDt><Dt>` + day + `</Dt></ValDt>
<NtryDtls><TxDtls><Refs><EndToEndId>` + ref + `</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`)
}

var currencyTests = []test{
	{Name: "clearing's accounts in a currency are set up on demand or by configuration, once", Run: func(t *testing.T, f *fixture) {
		_, err := f.Svc.ChartAccount(f.Ctx, "CHF", ledger.CodeSettlement)
		require.ErrorIs(t, err, ledger.ErrNotFound, "the suite's bank has no CHF chart")
		accts, err := f.clr.SetUpCurrency(f.Ctx, "CHF")
		require.NoError(t, err)
		require.Len(t, accts, 3)
		for i, code := range []string{ledger.CodeSettlement, ledger.CodeClearingSuspense, ledger.CodeSuspense} {
			require.Equal(t, code, accts[i].Code)
			require.Equal(t, money.Currency("CHF"), accts[i].Currency)
			require.Equal(t, ledger.ProductInternal, accts[i].Product)
		}
		again, err := f.clr.SetUpCurrency(f.Ctx, "CHF")
		require.NoError(t, err)
		require.Len(t, again, 3)
		for i := range again {
			require.Equal(t, accts[i].ID, again[i].ID, "set up once")
		}
		s, err := f.clr.SettlementAccount(f.Ctx, "CHF")
		require.NoError(t, err)
		require.Equal(t, accts[0].ID, s.ID)
		// The ledger's own chart finds them.
		require.Equal(t, accts[0].ID, f.chart("CHF", ledger.CodeSettlement).ID)

		_, err = f.clr.SetUpCurrency(f.Ctx, "XYZ")
		requireInvalid(t, err, "currency")
		_, err = f.clr.SettlementAccount(f.Ctx, "")
		requireInvalid(t, err, "currency")
	}},
	{Name: "a notification in a currency the bank never set up reconciles against a settlement account made for it", Run: func(t *testing.T, f *fixture) {
		day := f.Today.String()
		data := smallNotification("SGD", "1250.00", "E2E-SGD-1", day)
		dry, err := f.clr.ImportBankToCustomer(f.Ctx, ledger.NilID, data, true)
		require.NoError(t, err)
		sgd := f.chart("SGD", ledger.CodeSettlement)
		f.equityIn("SGD")
		require.Equal(t, sgd.ID, dry.AccountID)
		require.Len(t, dry.UnmatchedStatement, 1)
		require.True(t, dry.UnmatchedStatementTotal.Equal(money.MustParse("1250.00", "SGD")))

		id := f.nostro(sgd, money.MustParse("1250.00", "SGD"), f.Today, map[string]string{"end_to_end_id": "E2E-SGD-1"})
		r, err := f.clr.ImportBankToCustomer(f.Ctx, ledger.NilID, data, false)
		require.NoError(t, err)
		require.Equal(t, "NTF-E2E-SGD-1", r.StatementID)
		require.Len(t, r.Matches, 1)
		require.Equal(t, clearing.MatchByReference, r.Matches[0].Kind)
		require.Equal(t, []ledger.ID{id}, r.Matches[0].EntryIDs)
		require.Empty(t, r.UnmatchedStatement)

		// Given the account, the same rules hold.
		other := smallNotification("SGD", "10.00", "E2E-SGD-2", day)
		r, err = f.clr.ImportBankToCustomer(f.Ctx, sgd.ID, other, false)
		require.NoError(t, err)
		require.Equal(t, sgd.ID, r.AccountID)
		require.Len(t, r.UnmatchedStatement, 1)
	}},
	{Name: "the camt.052 and camt.054 of real banks reconcile", Run: func(t *testing.T, f *fixture) {
		report := readSharedTestdata(t, "iso20022", "camt052.001.04-postfinance-intraday.xml")
		credit := readSharedTestdata(t, "iso20022", "camt054.001.04-postfinance-credit.xml")
		finnish := readSharedTestdata(t, "iso20022", "camt054-fi-sample.xml")
		chf, err := f.clr.SettlementAccount(f.Ctx, "CHF")
		require.NoError(t, err)
		f.equityIn("CHF")
		d := calendar.MustParseDate("2019-04-24")
		named := map[ledger.ID]string{
			f.nostro(chf, money.MustParse("-103.00", "CHF"), d, map[string]string{"end_to_end_id": "20190423001255000100005"}): "by reference",
			f.nostro(chf, money.MustParse("-913.00", "CHF"), d, nil):                                                           "by amount",
			f.nostro(chf, money.MustParse("1500.00", "CHF"), d.AddDays(1), map[string]string{"reference": "074820002ZZ9J42U"}): "credit",
		}
		// The report names no currency for its account: its entries do.
		r, err := f.clr.ImportBankToCustomer(f.Ctx, ledger.NilID, report, false)
		require.NoError(t, err)
		require.Equal(t, chf.ID, r.AccountID)
		require.Equal(t, []string{"amount B->by amount", "reference A->by reference"}, matchesByKind(r, named))
		require.Empty(t, r.UnmatchedStatement)
		// Debits at the correspondent, in statement terms: -103.00 - 913.00.
		require.True(t, r.MatchedTotal.Equal(money.MustParse("-1016.00", "CHF")), r.MatchedTotal.String())

		n, err := f.clr.ImportBankToCustomer(f.Ctx, chf.ID, credit, false)
		require.NoError(t, err)
		require.Equal(t, []string{"reference A->credit"}, matchesByKind(n, named))

		// The Finnish notification: five booked entries, the sixth (a
		// reversal for information) skipped. Nothing in this ledger matches
		// them; the breaks add up, by hand, to
		// 2000.00 + 500.00 + 3000.00 - 4230.05 - 1000.00 = 269.95 EUR.
		fi, err := f.clr.ImportBankToCustomer(f.Ctx, ledger.NilID, finnish, true)
		require.NoError(t, err)
		require.Equal(t, f.chart(money.EUR, ledger.CodeSettlement).ID, fi.AccountID)
		require.Equal(t, 1, fi.Skipped)
		require.Len(t, fi.UnmatchedStatement, 5)
		require.True(t, fi.UnmatchedStatementTotal.Equal(money.MustParse("269.95", "EUR")), fi.UnmatchedStatementTotal.String())
	}},
	{Name: "a currency other than the account's is currency-mismatch on every path", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "100.00")
		snap := f.snapshot()
		// The statement's account currency (Acct/Ccy) against the account.
		_, err := f.clr.ImportBankToCustomer(f.Ctx, f.settlement.ID, smallNotification("EUR", "1.00", "R1", "2026-11-27"), false)
		requireCurrencyMismatch(t, err, "currency")
		camt053 := strings.NewReplacer("camt.054.001.08", "camt.053.001.08", "BkToCstmrDbtCdtNtfctn>", "BkToCstmrStmt>", "Ntfctn>", "Stmt>").
			Replace(string(smallNotification("EUR", "1.00", "R2", "2026-11-27")))
		_, err = f.clr.ImportCamt053(f.Ctx, f.settlement.ID, []byte(camt053), false)
		requireCurrencyMismatch(t, err, "currency")
		// An entry's currency, the statement naming none.
		noCcy := strings.Replace(string(smallNotification("EUR", "1.00", "R3", "2026-11-27")), "<Ccy>EUR</Ccy>", "", 1)
		_, err = f.clr.ImportBankToCustomer(f.Ctx, f.settlement.ID, []byte(noCcy), false)
		requireCurrencyMismatch(t, err, "entries[0].amount")
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "s",
			Entries: []iso20022.Entry{line(cny("1.00"), f.Today), line(usd("1.00"), f.Today)}})
		requireCurrencyMismatch(t, err, "entries[1].amount")
		csv := []byte("value_date,amount,currency,direction,reference,description\n" + f.Today.String() + ",1.00,USD,C,R4,\n")
		_, err = f.clr.ImportCSV(f.Ctx, f.settlement.ID, "csv-usd", csv, false)
		requireCurrencyMismatch(t, err, "entries[0].amount")
		// An outbound transfer in another currency than its account.
		_, err = f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: usd("1.00"),
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
		require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
		s, _ := fault.As(err)
		require.Equal(t, "currency-mismatch", s.Code())
		require.Equal(t, snap, f.snapshot(), "nothing moved")
		for _, id := range []string{"NTF-R1", "NTF-R3", "csv-usd"} {
			_, err = f.recon.ReconReport(f.Ctx, f.settlement.ID, id)
			require.ErrorIs(t, err, ledger.ErrNotFound)
		}
	}},
}

// equityIn gives the bank an equity account in cur, the other side of
// the nostro movements the suite posts.
func (f *fixture) equityIn(cur money.Currency) {
	f.T.Helper()
	for _, ca := range ledger.DefaultChart() {
		if ca.Code == ledger.CodeEquity {
			_, err := f.Svc.EnsureChartAccount(f.Ctx, cur, ca)
			require.NoError(f.T, err)
		}
	}
}
