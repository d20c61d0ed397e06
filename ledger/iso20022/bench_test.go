package iso20022

import (
	"bytes"
	"fmt"
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
