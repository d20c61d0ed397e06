package iso20022

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/money"
)

// largeBatch is a clearing batch of n payments of 1.00 to 9.99 EUR.
func largeBatch(n int) CreditTransferBatch {
	b := sampleBatch()
	tx := b.Transactions[0]
	tx.UETR = ""
	b.Transactions = b.Transactions[:0]
	total := money.Zero("EUR")
	for i := range n {
		tx.TransactionID = fmt.Sprintf("TX-%07d", i)
		tx.Amount = money.MustParse(fmt.Sprintf("%d.%02d", 1+i%9, i%100), "EUR")
		total, _ = total.Add(tx.Amount)
		b.Transactions = append(b.Transactions, tx)
	}
	b.Header.NumberOfTransactions, b.Header.TotalAmount = n, total
	return b
}

func BenchmarkWriteCreditTransfer(b *testing.B) {
	batch := largeBatch(1000)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteCreditTransfer(&buf, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch.Transactions)*b.N)/b.Elapsed().Seconds(), "tx/s")
}

func BenchmarkParseCreditTransfer(b *testing.B) {
	batch := largeBatch(1000)
	doc := writeBatch(b, batch)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := ParseCreditTransfer(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(batch.Transactions)*b.N)/b.Elapsed().Seconds(), "tx/s")
}

func BenchmarkParseStatement(b *testing.B) {
	doc := sharedCamt053(b)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := ParseStatement(strings.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "entries/s")
}

// camtWithEntries is smallStatement as message kind (root, item) with n
// copies of its entry.
func camtWithEntries(n int, ns, root, item string) []byte {
	doc := strings.ReplaceAll(smallStatement, "camt.053.001.08", ns)
	doc = strings.ReplaceAll(strings.ReplaceAll(doc, "BkToCstmrStmt>", root+">"), "Stmt>", item+">")
	start, end := strings.Index(doc, "<Ntry>"), strings.Index(doc, "</Ntry>")+len("</Ntry>")
	entry := doc[start:end]
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Replace(entry, "TX-0001", fmt.Sprintf("TX-%07d", i), 1))
	}
	return []byte(doc[:start] + b.String() + doc[end:])
}

func benchmarkCamt(b *testing.B, doc []byte, n int, parse func(io.Reader) (StatementMessage, error)) {
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		m, err := parse(bytes.NewReader(doc))
		if err != nil || len(m.Statements[0].Entries) != n {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkParseNotification(b *testing.B) {
	benchmarkCamt(b, camtWithEntries(1000, "camt.054.001.08", "BkToCstmrDbtCdtNtfctn", "Ntfctn"), 1000, ParseNotification)
}

func BenchmarkParseAccountReport(b *testing.B) {
	benchmarkCamt(b, camtWithEntries(1000, "camt.052.001.08", "BkToCstmrAcctRpt", "Rpt"), 1000, ParseAccountReport)
}

func BenchmarkParsePaymentStatus(b *testing.B) {
	var tx strings.Builder
	for i := range 1000 {
		status, reason := "ACSC", ""
		if i%10 == 0 {
			status, reason = "RJCT", "<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Account closed</AddtlInf></StsRsnInf>"
		}
		fmt.Fprintf(&tx, "<TxInfAndSts><StsId>S%d</StsId><OrgnlEndToEndId>E%031d</OrgnlEndToEndId><OrgnlTxId>E%031d</OrgnlTxId><TxSts>%s</TxSts>%s</TxInfAndSts>",
			i, i, i, status, reason)
	}
	doc := []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>B1</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>` +
		tx.String() + `</FIToFIPmtStsRpt></Document>`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		r, err := ParsePaymentStatus(bytes.NewReader(doc))
		if err != nil || len(r.Transactions) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "tx/s")
}
