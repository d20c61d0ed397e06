package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
)

func TestEndOfDayContract(t *testing.T) {
	ledgertest.RunEndOfDay(t, func(t *testing.T) (ledger.Store, ledger.EndOfDayStore) {
		s := newStore(t)
		return s, s
	})
}
