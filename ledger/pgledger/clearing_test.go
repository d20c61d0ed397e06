package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/clearing/clearingtest"
)

func TestClearingContract(t *testing.T) {
	clearingtest.Run(t, newClearingStores)
}

func TestReconciliationContract(t *testing.T) {
	clearingtest.RunReconciliation(t, newClearingStores)
}

func newClearingStores(t *testing.T) (ledger.Store, clearing.Store, clearing.ReconStore) {
	s := newStore(t)
	return s, s, s
}
