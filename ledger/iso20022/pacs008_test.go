package iso20022

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestCreditTransferRoundTrip(t *testing.T) {
	t.Parallel()
	want := sampleBatch()
	got, err := ParseCreditTransfer(bytes.NewReader(writeBatch(t, want)))
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestCreditTransferRoundTripKeepsZoneAndFraction(t *testing.T) {
	t.Parallel()
	b := sampleBatch()
	b.Header.CreatedAt = time.Date(2026, 11, 27, 17, 30, 0, 125_000_000, time.FixedZone("CST", 8*3600))
	got, err := ParseCreditTransfer(bytes.NewReader(writeBatch(t, b)))
	require.NoError(t, err)
	require.True(t, b.Header.CreatedAt.Equal(got.Header.CreatedAt), "got %v", got.Header.CreatedAt)
	_, offset := got.Header.CreatedAt.Zone()
	require.Equal(t, 8*3600, offset)
}

func TestWriteCreditTransferElements(t *testing.T) {
	t.Parallel()
	out := writeBatch(t, sampleBatch())
	require.True(t, bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)))
	require.Contains(t, string(out), `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">`)

	leaves := xmlLeaves(t, out)
	const hdr = "Document/FIToFICstmrCdtTrf/GrpHdr/"
	const tx = "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/"
	for path, want := range map[string][]string{
		hdr + "MsgId":                               {"BK-20261127-0001"},
		hdr + "CreDtTm":                             {"2026-11-27T09:30:00Z"},
		hdr + "NbOfTxs":                             {"2"},
		hdr + "TtlIntrBkSttlmAmt":                   {"1550.50"},
		hdr + "TtlIntrBkSttlmAmt@Ccy":               {"EUR"},
		hdr + "IntrBkSttlmDt":                       {"2026-11-27"},
		hdr + "SttlmInf/SttlmMtd":                   {"CLRG"},
		tx + "PmtId/InstrId":                        {"INSTR-1"},
		tx + "PmtId/EndToEndId":                     {"INV-2026-114", "NOTPROVIDED"},
		tx + "PmtId/TxId":                           {"TX-0001", "TX-0002"},
		tx + "PmtId/UETR":                           {"8a562c67-ca16-48ba-b074-65581be6f011"},
		tx + "IntrBkSttlmAmt":                       {"1250.00", "300.50"},
		tx + "IntrBkSttlmAmt@Ccy":                   {"EUR", "EUR"},
		tx + "ChrgBr":                               {"SLEV", "SHAR"},
		tx + "Dbtr/Nm":                              {"Ada Lovelace", "张三"},
		tx + "DbtrAcct/Id/IBAN":                     {ibanDE},
		tx + "DbtrAcct/Id/Othr/Id":                  {"6222020200112233"},
		tx + "DbtrAgt/FinInstnId/BICFI":             {"COBADEFFXXX"},
		tx + "DbtrAgt/FinInstnId/ClrSysMmbId/MmbId": {"102100099996"},
		tx + "CdtrAgt/FinInstnId/BICFI":             {"ABNANL2A", "BNPAFRPP"},
		tx + "CdtrAgt/FinInstnId/ClrSysMmbId/MmbId": {"30004"},
		tx + "Cdtr/Nm":                              {"Grace Hopper & Co. <B.V.>", "Émile Zola"},
		tx + "CdtrAcct/Id/IBAN":                     {ibanNL, ibanFR},
		tx + "RmtInf/Ustrd":                         {"Invoice 114", "November"},
	} {
		require.Equal(t, want, leaves[path], path)
	}
	require.Contains(t, string(out), "Grace Hopper &amp; Co. &lt;B.V.&gt;")
}

// The schema fixes the order of elements; a receiver validating against
// the XSD refuses any other.
func TestWriteCreditTransferSchemaOrder(t *testing.T) {
	t.Parallel()
	out := writeBatch(t, sampleBatch())
	require.Equal(t, [][]string{{"GrpHdr", "CdtTrfTxInf", "CdtTrfTxInf"}},
		childNames(t, out, "Document/FIToFICstmrCdtTrf"))
	require.Equal(t, [][]string{{"MsgId", "CreDtTm", "NbOfTxs", "TtlIntrBkSttlmAmt", "IntrBkSttlmDt", "SttlmInf"}},
		childNames(t, out, "Document/FIToFICstmrCdtTrf/GrpHdr"))
	require.Equal(t, [][]string{
		{"PmtId", "IntrBkSttlmAmt", "ChrgBr", "Dbtr", "DbtrAcct", "DbtrAgt", "CdtrAgt", "Cdtr", "CdtrAcct", "RmtInf"},
		{"PmtId", "IntrBkSttlmAmt", "ChrgBr", "Dbtr", "DbtrAcct", "DbtrAgt", "CdtrAgt", "Cdtr", "CdtrAcct"},
	}, childNames(t, out, "Document/FIToFICstmrCdtTrf/CdtTrfTxInf"))
	require.Equal(t, [][]string{{"InstrId", "EndToEndId", "TxId", "UETR"}, {"EndToEndId", "TxId"}},
		childNames(t, out, "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/PmtId"))
	require.Equal(t, [][]string{{"BICFI"}, {"ClrSysMmbId"}},
		childNames(t, out, "Document/FIToFICstmrCdtTrf/CdtTrfTxInf/DbtrAgt/FinInstnId"))
}

func TestCreditTransferValidateRefuses(t *testing.T) {
	t.Parallel()
	const tx1 = "CdtTrfTxInf[1]/"
	const tx2 = "CdtTrfTxInf[2]/"
	tests := []struct {
		name   string
		change func(b *CreditTransferBatch)
		where  string
	}{
		{"no transactions", func(b *CreditTransferBatch) { b.Transactions = nil }, "CdtTrfTxInf: a batch needs"},
		{"count disagrees", func(b *CreditTransferBatch) { b.Header.NumberOfTransactions = 3 }, "GrpHdr/NbOfTxs"},
		{"total disagrees", func(b *CreditTransferBatch) { b.Header.TotalAmount = money.MustParse("1550.49", "EUR") }, "GrpHdr/TtlIntrBkSttlmAmt"},
		{"total missing", func(b *CreditTransferBatch) { b.Header.TotalAmount = money.Money{} }, "GrpHdr/TtlIntrBkSttlmAmt"},
		{"two currencies", func(b *CreditTransferBatch) { b.Transactions[1].Amount = money.MustParse("300.50", "USD") }, "GrpHdr/TtlIntrBkSttlmAmt"},
		{"zero amount", func(b *CreditTransferBatch) {
			b.Transactions[1].Amount = money.Zero("EUR")
			b.Header.TotalAmount = money.MustParse("1250.00", "EUR")
		}, tx2 + "IntrBkSttlmAmt"},
		{"negative amount", func(b *CreditTransferBatch) {
			b.Transactions[1].Amount = money.MustParse("-300.50", "EUR")
			b.Header.TotalAmount = money.MustParse("949.50", "EUR")
		}, tx2 + "IntrBkSttlmAmt"},
		{"more decimals than the currency", func(b *CreditTransferBatch) {
			b.Transactions[0].Amount = money.Money{Amount: decimal.RequireFromString("1250.001"), Currency: "EUR"}
		}, tx1 + "IntrBkSttlmAmt"},
		{"unknown currency", func(b *CreditTransferBatch) { b.Transactions[0].Amount.Currency = "EURO" }, tx1 + "IntrBkSttlmAmt"},
		{"message id too long", func(b *CreditTransferBatch) { b.Header.MessageID = strings.Repeat("M", 36) }, "GrpHdr/MsgId"},
		{"message id missing", func(b *CreditTransferBatch) { b.Header.MessageID = "" }, "GrpHdr/MsgId"},
		{"created at missing", func(b *CreditTransferBatch) { b.Header.CreatedAt = time.Time{} }, "GrpHdr/CreDtTm"},
		{"settlement date missing", func(b *CreditTransferBatch) { b.Header.SettlementDate = calendar.Date{} }, "GrpHdr/IntrBkSttlmDt"},
		{"settlement method unknown", func(b *CreditTransferBatch) { b.Header.SettlementMethod = "WIRE" }, "GrpHdr/SttlmInf/SttlmMtd"},
		{"end-to-end id missing", func(b *CreditTransferBatch) { b.Transactions[1].EndToEndID = "" }, tx2 + "PmtId/EndToEndId"},
		{"end-to-end id outside the character set", func(b *CreditTransferBatch) { b.Transactions[0].EndToEndID = "INV_114" }, tx1 + "PmtId/EndToEndId"},
		{"end-to-end id with a non-Latin letter", func(b *CreditTransferBatch) { b.Transactions[0].EndToEndID = "发票114" }, tx1 + "PmtId/EndToEndId"},
		{"instruction id starts with a slash", func(b *CreditTransferBatch) { b.Transactions[0].InstructionID = "/INSTR" }, tx1 + "PmtId/InstrId"},
		{"transaction id with a double slash", func(b *CreditTransferBatch) { b.Transactions[0].TransactionID = "TX//1" }, tx1 + "PmtId/TxId"},
		{"duplicate transaction id", func(b *CreditTransferBatch) { b.Transactions[1].TransactionID = "TX-0001" }, tx2 + "PmtId/TxId"},
		{"UETR in upper case", func(b *CreditTransferBatch) {
			b.Transactions[0].UETR = strings.ToUpper(b.Transactions[0].UETR)
		}, tx1 + "PmtId/UETR"},
		{"UETR not version 4", func(b *CreditTransferBatch) { b.Transactions[0].UETR = "019abcde-ca16-78ba-b074-65581be6f011" }, tx1 + "PmtId/UETR"},
		{"charge bearer unknown", func(b *CreditTransferBatch) { b.Transactions[0].ChargeBearer = "OUR" }, tx1 + "ChrgBr"},
		{"debtor name missing", func(b *CreditTransferBatch) { b.Transactions[0].Debtor.Name = "" }, tx1 + "Dbtr/Nm"},
		{"creditor name too long", func(b *CreditTransferBatch) { b.Transactions[0].Creditor.Name = strings.Repeat("n", 141) }, tx1 + "Cdtr/Nm"},
		{"creditor name with a line break", func(b *CreditTransferBatch) { b.Transactions[0].Creditor.Name = "Grace\nHopper" }, tx1 + "Cdtr/Nm"},
		{"name with a control character", func(b *CreditTransferBatch) { b.Transactions[0].Debtor.Name = "Ada\x00" }, tx1 + "Dbtr/Nm"},
		{"creditor account missing", func(b *CreditTransferBatch) { b.Transactions[1].CreditorAccount = Account{} }, tx2 + "CdtrAcct"},
		{"IBAN with wrong check digits", func(b *CreditTransferBatch) { b.Transactions[0].CreditorAccount.IBAN = "NL92ABNA0417164300" }, tx1 + "CdtrAcct/Id/IBAN"},
		{"IBAN with a mistyped digit", func(b *CreditTransferBatch) { b.Transactions[0].DebtorAccount.IBAN = "DE89370400440532013001" }, tx1 + "DbtrAcct/Id/IBAN"},
		{"IBAN malformed", func(b *CreditTransferBatch) { b.Transactions[0].DebtorAccount.IBAN = "de89370400440532013000" }, tx1 + "DbtrAcct/Id/IBAN"},
		{"account with IBAN and other id", func(b *CreditTransferBatch) { b.Transactions[0].DebtorAccount.Other = "123" }, tx1 + "DbtrAcct/Id"},
		{"other account id too long", func(b *CreditTransferBatch) { b.Transactions[1].DebtorAccount.Other = strings.Repeat("1", 35) }, tx2 + "DbtrAcct/Id/Othr/Id"},
		{"debtor agent missing", func(b *CreditTransferBatch) { b.Transactions[0].DebtorAgent = Agent{} }, tx1 + "DbtrAgt"},
		{"BIC malformed", func(b *CreditTransferBatch) { b.Transactions[0].CreditorAgent.BIC = "ABNA1L2A" }, tx1 + "CdtrAgt/FinInstnId/BICFI"},
		{"BIC of wrong length", func(b *CreditTransferBatch) { b.Transactions[0].CreditorAgent.BIC = "ABNANL2AX" }, tx1 + "CdtrAgt/FinInstnId/BICFI"},
		{"remittance line too long", func(b *CreditTransferBatch) {
			b.Transactions[0].RemittanceInfo = []string{"ok", strings.Repeat("r", 141)}
		}, tx1 + "RmtInf/Ustrd[2]"},
		{"remittance line empty", func(b *CreditTransferBatch) { b.Transactions[0].RemittanceInfo = []string{""} }, tx1 + "RmtInf/Ustrd[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := sampleBatch()
			tt.change(&b)
			requireInvalid(t, b.Validate(), "Document/FIToFICstmrCdtTrf/"+tt.where)

			var buf bytes.Buffer
			requireInvalid(t, WriteCreditTransfer(&buf, b), tt.where)
			require.Zero(t, buf.Len(), "an invalid batch must write nothing")
		})
	}
}

// The batch and its transactions are only read: Validate and the writer do
// not change what they are given.
func TestWriteCreditTransferLeavesInputAlone(t *testing.T) {
	t.Parallel()
	b := sampleBatch()
	writeBatch(t, b)
	require.Equal(t, sampleBatch(), b)
}

func TestParseCreditTransferOlderVersion(t *testing.T) {
	t.Parallel()
	// pacs.008.001.02 calls the BIC element BIC and has no UETR.
	b := sampleBatch()
	b.Transactions[0].UETR = ""
	doc := string(writeBatch(t, b))
	doc = replaceOnce(t, doc, "pacs.008.001.08", "pacs.008.001.02")
	doc = strings.ReplaceAll(doc, "BICFI>", "BIC>")

	got, err := ParseCreditTransfer(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, b, got)
}

func TestParseCreditTransferFillsOptionalHeaderFields(t *testing.T) {
	t.Parallel()
	doc := string(writeBatch(t, sampleBatch()))
	// No total in the header: it is the sum of the transactions.
	doc = replaceOnce(t, doc, `<TtlIntrBkSttlmAmt Ccy="EUR">1550.50</TtlIntrBkSttlmAmt>`, "")
	// Settlement date per transaction rather than in the header.
	doc = replaceOnce(t, doc, "<IntrBkSttlmDt>2026-11-27</IntrBkSttlmDt>", "")
	doc = strings.ReplaceAll(doc, "</IntrBkSttlmAmt>", "</IntrBkSttlmAmt><IntrBkSttlmDt>2026-11-30</IntrBkSttlmDt>")

	got, err := ParseCreditTransfer(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, money.MustParse("1550.50", "EUR"), got.Header.TotalAmount)
	require.Equal(t, calendar.MustParseDate("2026-11-30"), got.Header.SettlementDate)

	// Transactions that settle on different days need the header's date.
	split := strings.Replace(doc, "2026-11-30", "2026-12-01", 1)
	_, err = ParseCreditTransfer(strings.NewReader(split))
	requireInvalid(t, err, "GrpHdr/IntrBkSttlmDt")
}

// A received batch is held to the standard, not to bankkit's stricter
// rules for what it sends: the ledger returns payments it cannot apply.
func TestParseCreditTransferIsLenientWhereTheStandardIs(t *testing.T) {
	t.Parallel()
	doc := string(writeBatch(t, sampleBatch()))
	doc = replaceOnce(t, doc, "INV-2026-114", "INV_2026_114&amp;")
	doc = replaceOnce(t, doc, "<IBAN>"+ibanNL+"</IBAN>", "<IBAN>NL00ABNA0417164300</IBAN>")
	doc = replaceOnce(t, doc, "<Nm>Ada Lovelace</Nm>", "")

	got, err := ParseCreditTransfer(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, "INV_2026_114&", got.Transactions[0].EndToEndID)
	require.Equal(t, "NL00ABNA0417164300", got.Transactions[0].CreditorAccount.Number())
	require.Empty(t, got.Transactions[0].Debtor.Name)
	requireInvalid(t, got.Validate(), "PmtId/EndToEndId")
}

func TestParseCreditTransferRefuses(t *testing.T) {
	t.Parallel()
	valid := string(writeBatch(t, sampleBatch()))
	const tx1 = "Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/"
	tests := []struct {
		name     string
		old, new string
		sentinel error
		where    string
	}{
		{"count disagrees", "<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>", ErrInvalidMessage, "GrpHdr/NbOfTxs"},
		{"count not a number", "<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>two</NbOfTxs>", ErrInvalidMessage, "GrpHdr/NbOfTxs"},
		{"total disagrees", ">1550.50<", ">1550.51<", ErrInvalidMessage, "GrpHdr/TtlIntrBkSttlmAmt"},
		{"amount with too many decimals", ">1250.00<", ">1250.001<", ErrInvalidMessage, tx1 + "IntrBkSttlmAmt"},
		{"amount negative", ">1250.00<", ">-1250.00<", ErrInvalidMessage, tx1 + "IntrBkSttlmAmt"},
		{"amount in exponent form", ">1250.00<", ">1.25E3<", ErrInvalidMessage, tx1 + "IntrBkSttlmAmt"},
		{"amount without currency", `<IntrBkSttlmAmt Ccy="EUR">1250.00`, `<IntrBkSttlmAmt>1250.00`, ErrInvalidMessage, tx1 + "IntrBkSttlmAmt"},
		{"amount missing", `<IntrBkSttlmAmt Ccy="EUR">1250.00</IntrBkSttlmAmt>`, "", ErrInvalidMessage, tx1 + "IntrBkSttlmAmt"},
		{"end-to-end id missing", "<EndToEndId>INV-2026-114</EndToEndId>", "", ErrInvalidMessage, tx1 + "PmtId/EndToEndId"},
		{"charge bearer unknown", "<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>OUR</ChrgBr>", ErrInvalidMessage, tx1 + "ChrgBr"},
		{"created at not a time", "2026-11-27T09:30:00Z", "27/11/2026 09:30", ErrInvalidMessage, "GrpHdr/CreDtTm"},
		{"settlement date not a date", "<IntrBkSttlmDt>2026-11-27<", "<IntrBkSttlmDt>2026-02-30<", ErrInvalidMessage, "GrpHdr/IntrBkSttlmDt"},
		{"account with an empty choice", "<IBAN>" + ibanNL + "</IBAN>", "", ErrInvalidMessage, tx1 + "CdtrAcct/Id"},
		{"no transactions", "<CdtTrfTxInf>", "<Ignored>", ErrInvalidMessage, "CdtTrfTxInf"},
		{"a statement, not a transfer", "pacs.008.001.08", "camt.053.001.08", ErrUnsupportedMessage, "camt.053.001.08"},
		{"a newer version than read", "pacs.008.001.08", "pacs.008.001.13", ErrUnsupportedMessage, "pacs.008.001.13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := replaceOnce(t, valid, tt.old, tt.new)
			if tt.name == "no transactions" {
				doc = strings.ReplaceAll(doc, "CdtTrfTxInf>", "Ignored>")
			}
			_, err := ParseCreditTransfer(strings.NewReader(doc))
			require.ErrorIs(t, err, tt.sentinel)
			require.Contains(t, err.Error(), tt.where)
		})
	}
}

func TestParseCreditTransferSeveralCurrenciesWithoutTotal(t *testing.T) {
	t.Parallel()
	doc := string(writeBatch(t, sampleBatch()))
	doc = replaceOnce(t, doc, `<TtlIntrBkSttlmAmt Ccy="EUR">1550.50</TtlIntrBkSttlmAmt>`, "")
	doc = replaceOnce(t, doc, `<IntrBkSttlmAmt Ccy="EUR">300.50`, `<IntrBkSttlmAmt Ccy="USD">300.50`)
	_, err := ParseCreditTransfer(strings.NewReader(doc))
	require.ErrorIs(t, err, ErrUnsupportedMessage)
	require.Contains(t, err.Error(), "several currencies")
}

// A batch names the clearing system or channel it goes through in
// SttlmInf/ClrSys/Prtry, after SttlmMtd as the schema orders them, and the
// reader gives it back; a name outside the reference characters is refused.
func TestCreditTransferClearingSystem(t *testing.T) {
	t.Parallel()
	b := sampleBatch()
	b.Header.ClearingSystem = "BEPS"
	out := writeBatch(t, b)
	require.Equal(t, [][]string{{"SttlmMtd", "ClrSys"}}, childNames(t, out, "Document/FIToFICstmrCdtTrf/GrpHdr/SttlmInf"))
	require.Equal(t, [][]string{{"Prtry"}}, childNames(t, out, "Document/FIToFICstmrCdtTrf/GrpHdr/SttlmInf/ClrSys"))
	got, err := ParseCreditTransfer(bytes.NewReader(out))
	require.NoError(t, err)
	require.Equal(t, b, got)

	b.Header.ClearingSystem = "BE<PS"
	err = WriteCreditTransfer(io.Discard, b)
	require.ErrorIs(t, err, ErrInvalidMessage)
	require.ErrorContains(t, err, "SttlmInf/ClrSys/Prtry")
}
