package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/clearing/clearingtest"
)

func BenchmarkClearing(b *testing.B) {
	clearingtest.RunBenchmarks(b, func(b *testing.B) (ledger.Store, clearing.Store, clearing.ReconStore) {
		s := newStore(b)
		return s, s, s
	})
}
