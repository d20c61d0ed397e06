package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
)

func BenchmarkClearing(b *testing.B) {
	ledgertest.RunClearingBenchmarks(b, func(b *testing.B) (ledger.Store, ledger.ClearingStore) {
		s := newStore(b)
		return s, s
	})
}
