package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func BenchmarkClearing(b *testing.B) {
	ledgertest.RunClearingBenchmarks(b, func(*testing.B) (ledger.Store, ledger.ClearingStore) {
		s := memledger.New()
		return s, s
	})
}
