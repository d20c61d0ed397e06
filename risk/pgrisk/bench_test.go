package pgrisk_test

import (
	"testing"

	"github.com/bankkit/bankkit/risk/pgrisk"
	"github.com/bankkit/bankkit/risk/risktest"
)

// BenchmarkScreen: transactions screened (or observed: the same work)
// against 20 rules over 5 windowed aggregates on PostgreSQL, from eight
// goroutines; 1e9/ns_op is the rate per second.
func BenchmarkScreen(b *testing.B) {
	b.Run("durable", func(b *testing.B) { risktest.BenchScreen(b, pgrisk.New(newDB(b)), 10_000, 8) })
	b.Run("relaxed", func(b *testing.B) {
		risktest.BenchScreen(b, pgrisk.New(newDB(b), pgrisk.WithRelaxedCommit()), 10_000, 8)
	})
}

// BenchmarkObserveBatch: asynchronous evaluation in pages of 500 (the
// ledger's event pages), each one transaction with its cursor move.
//
//	BANKKIT_TEST_DATABASE_URL=... go test ./risk/pgrisk -run XXX -bench ObserveBatch -benchtime 20000x
func BenchmarkObserveBatch(b *testing.B) {
	b.Run("durable", func(b *testing.B) { risktest.BenchObserveBatch(b, pgrisk.New(newDB(b)), 10_000, 500) })
	b.Run("relaxed", func(b *testing.B) {
		risktest.BenchObserveBatch(b, pgrisk.New(newDB(b), pgrisk.WithRelaxedCommit()), 10_000, 500)
	})
}
