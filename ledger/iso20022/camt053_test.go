package iso20022

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

func parseStatementText(t *testing.T, doc string) StatementMessage {
	t.Helper()
	msg, err := ParseStatement(strings.NewReader(doc))
	require.NoError(t, err)
	return msg
}

// The expectations are read off the bank's file by eye.
func TestParseStatementBankFile(t *testing.T) {
	t.Parallel()
	msg := parseStatementText(t, sharedCamt053(t))

	require.Equal(t, "201509302599406884", msg.MessageID)
	require.Equal(t, "2015-09-30T14:09:11Z", msg.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
	require.Len(t, msg.Statements, 1)
	s := msg.Statements[0]
	require.Equal(t, "201509302599406883", s.ID)
	require.Equal(t, Account{IBAN: "LT007180000000000000"}, s.Account)
	require.Equal(t, money.EUR, s.Currency)

	require.Equal(t, []Balance{
		{Type: OpeningAvailable, Amount: money.MustParse("2768.08", "EUR"), Direction: Credit, Date: calendar.MustParseDate("2015-05-01")},
		{Type: ClosingAvailable, Amount: money.MustParse("0.00", "EUR"), Direction: Credit, Date: calendar.MustParseDate("2015-06-30")},
	}, s.Balances)

	want := []struct {
		amount, date, instrID, txID, creditor, creditorIBAN, remittance string
	}{
		{"1.64", "2015-05-11", "215431", "514026627", `UAB "TESTAVIMAS"`, "LT007180000000000001",
			"Mokestis už į kliento sąskaitą pervestų lėšų, gautų iš kitų bankų, įskaitymą 2015.04.01, 2015.04.30 dienoje"},
		{"2734.58", "2015-05-20", "200924", "515993893", `UAB "TESTAVIMAS"`, "LT007180000000000002",
			"Lėšų įsiskolinimui dengti surinkimas į paskolos aptarnavimo sąskaitą"},
		{"30.16", "2015-05-20", "224881", "516079331", "Antstolis Vardenis Pavardenis", "LT007044000000000000",
			"Dalinis nurašymas pagal inkasinį pavedimą"},
		{"1.70", "2015-05-20", "224881", "516079334", "Pajamos", "LT007180000000000003",
			"Už lėšų pervedimo atlikimą į kitus bankus iš kliento sąskaitos"},
	}
	require.Len(t, s.Entries, 4)
	for i, w := range want {
		e := s.Entries[i]
		amount := money.MustParse(w.amount, "EUR")
		require.Equal(t, amount, e.Amount, "entry %d", i+1)
		require.Equal(t, Debit, e.Direction)
		require.Equal(t, amount.Neg(), e.Signed())
		require.Equal(t, StatusBooked, e.Status)
		require.False(t, e.Reversal)
		require.Equal(t, calendar.MustParseDate(w.date), e.BookingDate)
		require.Equal(t, calendar.MustParseDate(w.date), e.ValueDate)
		require.Len(t, e.Details, 1)
		d := e.Details[0]
		require.Equal(t, w.instrID, d.InstructionID)
		require.Equal(t, "NOTPROVIDED", d.EndToEndID)
		require.Equal(t, w.txID, d.TransactionID)
		require.Equal(t, amount, d.Amount)
		require.Equal(t, Account{IBAN: "LT007180000000000000"}, d.DebtorAccount)
		require.Equal(t, w.creditor, d.Creditor.Name)
		require.Equal(t, Account{IBAN: w.creditorIBAN}, d.CreditorAccount)
		require.Equal(t, []string{w.remittance}, d.RemittanceInfo)
	}
	require.Equal(t, `UAB "TESTAVIMAS"`, s.Entries[2].Details[0].Debtor.Name, "the one entry that names its debtor")
	require.Empty(t, s.Entries[0].Details[0].Debtor.Name)
}

// The bank's statement is consistent: the opening balance plus the entries
// is the closing balance. Reconciliation relies on reading every sign and
// amount right.
func TestParseStatementBalancesAgreeWithEntries(t *testing.T) {
	t.Parallel()
	s := parseStatementText(t, sharedCamt053(t)).Statements[0]
	balance := s.Balances[0].Signed()
	for _, e := range s.Entries {
		var err error
		balance, err = balance.Add(e.Signed())
		require.NoError(t, err)
	}
	require.True(t, balance.Equal(s.Balances[1].Signed()), "opening + entries = %s, closing %s", balance, s.Balances[1].Signed())
}

// withPrefix puts every element of doc in the namespace prefix ns.
func withPrefix(t testing.TB, doc string) string {
	doc = regexp.MustCompile(`<(/?)([A-Za-z])`).ReplaceAllString(doc, "<${1}ns:$2")
	return replaceOnce(t, doc, `xmlns="urn:`, `xmlns:ns="urn:`)
}

// asVersion08 rewrites the .001.02 file the way camt.053.001.08 says the
// same things: nested Sts/Cd, related parties under Pty, the transaction
// amount directly in TxDtls, BICFI, and a value date given as a moment.
func asVersion08(t testing.TB, doc string) string {
	doc = replaceOnce(t, doc, "camt.053.001.02", "camt.053.001.08")
	doc = replaceOnce(t, doc, "camt.053.001.02", "camt.053.001.08")
	doc = strings.ReplaceAll(doc, "<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>")
	for _, party := range []string{"Dbtr", "Cdtr"} {
		doc = strings.ReplaceAll(doc, "<"+party+">", "<"+party+"><Pty>")
		doc = strings.ReplaceAll(doc, "</"+party+">", "</Pty></"+party+">")
	}
	doc = regexp.MustCompile(`<AmtDtls>\s*<TxAmt>\s*(<Amt [^>]*>[^<]*</Amt>)\s*</TxAmt>\s*</AmtDtls>`).
		ReplaceAllString(doc, "$1<CdtDbtInd>DBIT</CdtDbtInd>")
	doc = strings.ReplaceAll(doc, "BIC>", "BICFI>")
	return replaceOnce(t, doc, "<ValDt>\n      <Dt>2015-05-11</Dt>", "<ValDt>\n      <DtTm>2015-05-11T23:30:00+03:00</DtTm>")
}

// inEnvelope wraps doc, without its XML declaration, in a business message
// envelope beside a business application header.
func inEnvelope(t testing.TB, doc string) string {
	doc = replaceOnce(t, doc, `<?xml version="1.0" encoding="UTF-8"?>`, "")
	return `<?xml version="1.0" encoding="UTF-8"?>
<BizMsgEnvlp xmlns="urn:example:envelope">
  <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
    <Fr><FIId><FinInstnId><BICFI>CBSBLT26XXX</BICFI></FinInstnId></FIId></Fr>
    <To><FIId><FinInstnId><BICFI>BKKTCNSHXXX</BICFI></FinInstnId></FIId></To>
    <BizMsgIdr>201509302599406884</BizMsgIdr>
    <MsgDefIdr>camt.053.001.02</MsgDefIdr>
    <CreDt>2015-09-30T14:09:11Z</CreDt>
  </AppHdr>
  ` + doc + `
</BizMsgEnvlp>`
}

func TestParseStatementVariants(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	want := parseStatementText(t, file)
	tests := []struct {
		name string
		doc  string
	}{
		{"namespace prefix", withPrefix(t, file)},
		{"version 08", asVersion08(t, file)},
		{"business application header envelope", inEnvelope(t, file)},
		{"prefixed version 08 in an envelope", inEnvelope(t, withPrefix(t, asVersion08(t, file)))},
		{"version 13", strings.ReplaceAll(file, "camt.053.001.02", "camt.053.001.13")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, want, parseStatementText(t, tt.doc))
		})
	}
}

func TestParseStatementKeepsBatchBookingDetails(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	second := `</TxDtls>
      <TxDtls>
        <Refs><EndToEndId>E2E-B</EndToEndId><TxId>T-B</TxId></Refs>
        <Amt Ccy="EUR">0.64</Amt>
        <RltdPties><Cdtr><Pty><Nm>Second Creditor</Nm></Pty></Cdtr></RltdPties>
        <RmtInf><Ustrd>second</Ustrd><Ustrd>line two</Ustrd></RmtInf>
      </TxDtls>
    </NtryDtls>
    <NtryDtls>
      <TxDtls><Refs><EndToEndId>E2E-C</EndToEndId></Refs></TxDtls>
    </NtryDtls>`
	doc := replaceOnce(t, file, "</TxDtls>\n    </NtryDtls>", second)
	e := parseStatementText(t, doc).Statements[0].Entries[0]
	require.Len(t, e.Details, 3)
	require.Equal(t, "514026627", e.Details[0].TransactionID)
	require.Equal(t, TransactionDetails{
		EndToEndID:     "E2E-B",
		TransactionID:  "T-B",
		Amount:         money.MustParse("0.64", "EUR"),
		Creditor:       Party{Name: "Second Creditor"},
		RemittanceInfo: []string{"second", "line two"},
	}, e.Details[1])
	require.Equal(t, TransactionDetails{EndToEndID: "E2E-C"}, e.Details[2])
}

func TestParseStatementSeveralStatements(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	start, end := strings.Index(file, "<Stmt>"), strings.Index(file, "</Stmt>")+len("</Stmt>")
	second := strings.Replace(file[start:end], "<Id>201509302599406883</Id>", "<Id>SECOND</Id>", 1)
	msg := parseStatementText(t, file[:end]+second+file[end:])
	require.Len(t, msg.Statements, 2)
	require.Equal(t, "201509302599406883", msg.Statements[0].ID)
	require.Equal(t, "SECOND", msg.Statements[1].ID)
	require.Equal(t, msg.Statements[0].Entries, msg.Statements[1].Entries)
}

func TestParseStatementOtherForms(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	doc := replaceOnce(t, file, "<IBAN>LT007180000000000000</IBAN>\n    </Id>\n    <Ccy>EUR</Ccy>", "<Othr><Id>40702810000000001</Id></Othr></Id>")
	doc = replaceOnce(t, doc, "<CdtDbtInd>DBIT</CdtDbtInd>\n    <Sts>BOOK</Sts>", "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>PDNG</Sts>")
	doc = replaceOnce(t, doc, "<Dt>\n      <Dt>2015-05-01</Dt>", "<Dt>\n      <DtTm>2015-05-01T00:00:00Z</DtTm>")
	doc = replaceOnce(t, doc, "<BookgDt>\n      <Dt>2015-05-11</Dt>\n    </BookgDt>", "")
	s := parseStatementText(t, doc).Statements[0]
	require.Equal(t, Account{Other: "40702810000000001"}, s.Account)
	require.Equal(t, "40702810000000001", s.Account.Number())
	require.Empty(t, s.Currency)
	require.Equal(t, calendar.MustParseDate("2015-05-01"), s.Balances[0].Date)
	e := s.Entries[0]
	require.Equal(t, Credit, e.Direction)
	require.Equal(t, money.MustParse("1.64", "EUR"), e.Signed())
	require.True(t, e.Reversal)
	require.Equal(t, StatusPending, e.Status)
	require.True(t, e.BookingDate.IsZero())
	require.Equal(t, calendar.MustParseDate("2015-05-11"), e.ValueDate)
}

func TestParseStatementRefuses(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	const stmt = "Document/BkToCstmrStmt/Stmt[1]/"
	tests := []struct {
		name     string
		doc      string
		sentinel error
		where    string
	}{
		{"a transfer, not a statement", strings.ReplaceAll(file, "camt.053.001.02", "pacs.008.001.08"), ErrUnsupportedMessage, "pacs.008.001.08, want camt.053"},
		{"an intraday report, not a statement", strings.ReplaceAll(file, "camt.053.001.02", "camt.052.001.02"), ErrUnsupportedMessage, "want camt.053"},
		{"a version not read", strings.ReplaceAll(file, "camt.053.001.02", "camt.053.001.14"), ErrUnsupportedMessage, "camt.053.001.14"},
		{"no namespace", replaceOnce(t, file, `xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"`, ""), ErrUnsupportedMessage, "namespace"},
		{"amount with too many decimals", replaceOnce(t, file, ">1.64</Amt>", ">1.645</Amt>"), ErrInvalidMessage, stmt + "Ntry[1]/Amt"},
		{"amount not a number", replaceOnce(t, file, ">30.16</Amt>", ">30,16</Amt>"), ErrInvalidMessage, stmt + "Ntry[3]/Amt"},
		{"amount too long", replaceOnce(t, file, ">30.16</Amt>", ">"+strings.Repeat("9", 19)+"</Amt>"), ErrInvalidMessage, stmt + "Ntry[3]/Amt"},
		{"amount without currency", replaceOnce(t, file, `<Amt Ccy="EUR">2734.58</Amt>`, "<Amt>2734.58</Amt>"), ErrInvalidMessage, stmt + "Ntry[2]/Amt: Ccy attribute missing"},
		{"amount in an unknown currency", replaceOnce(t, file, `Ccy="EUR">30.16`, `Ccy="EUX">30.16`), ErrInvalidMessage, stmt + "Ntry[3]/Amt"},
		{"negative balance amount", replaceOnce(t, file, ">2768.08<", ">-2768.08<"), ErrInvalidMessage, stmt + "Bal[1]/Amt"},
		{"transaction amount with too many decimals", strings.Replace(file, ">1.64</Amt>", ">1.640</Amt>", 2), ErrInvalidMessage, stmt + "Ntry[1]/Amt"},
		{"detail amount bad", regexp.MustCompile(`(<TxAmt>\s*<Amt Ccy="EUR">)1\.7<`).ReplaceAllString(file, "${1}1.7.0<"), ErrInvalidMessage, stmt + "Ntry[4]/NtryDtls[1]/TxDtls[1]/AmtDtls/TxAmt/Amt"},
		{"credit-debit indicator unknown", replaceOnce(t, file, "<CdtDbtInd>DBIT", "<CdtDbtInd>DEBIT"), ErrInvalidMessage, stmt + "Ntry[1]/CdtDbtInd"},
		{"balance without indicator", replaceOnce(t, file, "<CdtDbtInd>CRDT</CdtDbtInd>", ""), ErrInvalidMessage, stmt + "Bal[1]/CdtDbtInd: missing"},
		{"status missing", replaceOnce(t, file, "<Sts>BOOK</Sts>", ""), ErrInvalidMessage, stmt + "Ntry[1]/Sts: missing"},
		{"status malformed", replaceOnce(t, file, "<Sts>BOOK</Sts>", "<Sts>booked</Sts>"), ErrInvalidMessage, stmt + "Ntry[1]/Sts"},
		{"booking date malformed", replaceOnce(t, file, "<Dt>2015-05-11</Dt>", "<Dt>2015-5-11</Dt>"), ErrInvalidMessage, stmt + "Ntry[1]/BookgDt/Dt"},
		{"balance date missing", replaceOnce(t, file, "<Dt>\n      <Dt>2015-05-01</Dt>\n    </Dt>", ""), ErrInvalidMessage, stmt + "Bal[1]/Dt: missing"},
		{"reversal indicator malformed", replaceOnce(t, file, "<Sts>BOOK</Sts>", "<RvslInd>yes</RvslInd><Sts>BOOK</Sts>"), ErrInvalidMessage, stmt + "Ntry[1]/RvslInd"},
		{"statement id missing", replaceOnce(t, file, "<Id>201509302599406883</Id>", ""), ErrInvalidMessage, stmt + "Id: missing"},
		{"account missing", regexp.MustCompile(`(?s)<Acct>.*</Acct>`).ReplaceAllString(file, ""), ErrInvalidMessage, stmt + "Acct: missing"},
		{"account currency unknown", replaceOnce(t, file, "<Ccy>EUR</Ccy>", "<Ccy>LTL</Ccy>"), ErrInvalidMessage, stmt + "Acct/Ccy"},
		{"group header missing", regexp.MustCompile(`(?s)<GrpHdr>.*</GrpHdr>`).ReplaceAllString(file, ""), ErrInvalidMessage, "Document/BkToCstmrStmt/GrpHdr: missing"},
		{"no statement", regexp.MustCompile(`(?s)<Stmt>.*</Stmt>`).ReplaceAllString(file, ""), ErrInvalidMessage, "Document/BkToCstmrStmt/Stmt: missing"},
		{"truncated", file[:len(file)/2], ErrInvalidMessage, "Document: XML syntax error"},
		{"truncated envelope", strings.TrimSuffix(inEnvelope(t, file), "</BizMsgEnvlp>"), ErrInvalidMessage, "unexpected EOF"},
		{"not XML", "camt.053 statement", ErrInvalidMessage, "no Document element"},
		{"empty", "", ErrInvalidMessage, "no Document element"},
		// Without a Document the message element itself would be taken
		// (as networks send it); with neither there is nothing to read.
		{"no Document", strings.ReplaceAll(strings.ReplaceAll(file, "Document", "Dokument"), "BkToCstmrStmt", "BkToKundeStmt"), ErrInvalidMessage, "no Document element"},
		{"two Documents", strings.Replace(inEnvelope(t, file), "</BizMsgEnvlp>", file[strings.Index(file, "<Document"):]+"</BizMsgEnvlp>", 1), ErrInvalidMessage, "more than one Document"},
		{"content after the root", file + "<Document/>", ErrInvalidMessage, "content after the root element"},
		{"document type declaration", replaceOnce(t, file, `?><Document`, `?><!DOCTYPE Document [<!ENTITY x "y">]><Document`), ErrInvalidMessage, "document type declarations"},
		{"undefined entity", replaceOnce(t, file, "&quot;TESTAVIMAS", "&lol;TESTAVIMAS"), ErrInvalidMessage, "entity"},
		{"another encoding", replaceOnce(t, file, `encoding="UTF-8"`, `encoding="ISO-8859-13"`), ErrInvalidMessage, "ISO-8859-13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseStatement(strings.NewReader(tt.doc))
			require.ErrorIs(t, err, tt.sentinel)
			require.Contains(t, err.Error(), tt.where)
		})
	}
}

func TestParseStatementRefusesMoneyErrorsMatchably(t *testing.T) {
	t.Parallel()
	file := sharedCamt053(t)
	_, err := ParseStatement(strings.NewReader(replaceOnce(t, file, ">1.64</Amt>", ">1.645</Amt>")))
	require.ErrorIs(t, err, money.ErrInvalidAmount)
	_, err = ParseStatement(strings.NewReader(replaceOnce(t, file, `Ccy="EUR">30.16`, `Ccy="EUX">30.16`)))
	require.ErrorIs(t, err, money.ErrUnknownCurrency)
}

func TestParseRefusesOversizedInput(t *testing.T) {
	t.Parallel()
	big := io.MultiReader(strings.NewReader("<Document>"), bytes.NewReader(bytes.Repeat([]byte(" "), MaxMessageSize)))
	_, err := ParseStatement(big)
	requireInvalid(t, err, "larger than")

	big = io.MultiReader(strings.NewReader("value_date,amount,currency,direction,reference,description\n"), bytes.NewReader(bytes.Repeat([]byte("\n"), MaxMessageSize)))
	_, err = ParseCSVStatement(big)
	requireInvalid(t, err, "larger than")
}

func TestParseRefusesDeepEnvelopes(t *testing.T) {
	t.Parallel()
	doc := strings.Repeat("<Wrap>", maxWrapperDepth+1) + `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>` + strings.Repeat("</Wrap>", maxWrapperDepth+1)
	_, err := ParseStatement(strings.NewReader(doc))
	requireInvalid(t, err, "no Document within")
}
