package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/clearing/clearingtest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestClearingContract(t *testing.T) {
	clearingtest.Run(t, newClearingStores)
}

func TestReconciliationContract(t *testing.T) {
	clearingtest.RunReconciliation(t, newClearingStores)
}

func newClearingStores(t *testing.T) (ledger.Store, clearing.Store, clearing.ReconStore) {
	s := memledger.New()
	return s, s, s
}
