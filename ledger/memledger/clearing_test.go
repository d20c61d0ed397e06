package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestClearingContract(t *testing.T) {
	ledgertest.RunClearing(t, func(t *testing.T) (ledger.Store, ledger.ClearingStore) {
		s := memledger.New()
		return s, s
	})
}
