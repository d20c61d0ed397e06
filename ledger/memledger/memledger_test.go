package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

func TestContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return memledger.New() })
}

// FuzzModel drives the model-based test with fuzzer-chosen seeds: each
// seed is a different random sequence of operations, checked against the
// suite's independent model of the ledger.
func FuzzModel(f *testing.F) {
	for _, seed := range []uint64{1, 7, 42} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		svc, err := ledger.NewService(memledger.New())
		if err != nil {
			t.Fatal(err)
		}
		chart, err := svc.SetupChart(t.Context(), money.CNY)
		if err != nil {
			t.Fatal(err)
		}
		ledgertest.RunModel(t, svc, chart[0], seed, 60)
	})
}
