package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/clearing/clearingtest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func BenchmarkClearing(b *testing.B) {
	clearingtest.RunBenchmarks(b, func(*testing.B) (ledger.Store, clearing.Store, clearing.ReconStore) {
		s := memledger.New()
		return s, s, s
	})
}
