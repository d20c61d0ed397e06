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
