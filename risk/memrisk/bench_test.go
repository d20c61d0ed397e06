package memrisk_test

import (
	"testing"

	"github.com/bankkit/bankkit/risk/memrisk"
	"github.com/bankkit/bankkit/risk/risktest"
)

// BenchmarkScreen: one transaction against 20 rules over 5 windowed
// aggregates, in process, one goroutine (latency) and four (throughput).
func BenchmarkScreen(b *testing.B) {
	b.Run("serial", func(b *testing.B) { risktest.BenchScreen(b, memrisk.New(), 10_000, 1) })
	b.Run("parallel4", func(b *testing.B) { risktest.BenchScreen(b, memrisk.New(), 10_000, 4) })
}

// BenchmarkObserveBatch: asynchronous evaluation in pages of 500.
func BenchmarkObserveBatch(b *testing.B) {
	risktest.BenchObserveBatch(b, memrisk.New(), 10_000, 500)
}
