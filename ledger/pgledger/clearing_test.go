package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
)

func TestClearingContract(t *testing.T) {
	ledgertest.RunClearing(t, func(t *testing.T) (ledger.Store, ledger.ClearingStore) {
		s := newStore(t)
		return s, s
	})
}
