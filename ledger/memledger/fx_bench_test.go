package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/fx/fxtest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func BenchmarkFX(b *testing.B) {
	fxtest.RunBenchmarks(b, func(b *testing.B) (ledger.Store, fx.Store) {
		s := memledger.New()
		return s, s
	})
}
