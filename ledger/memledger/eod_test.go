package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestEndOfDayContract(t *testing.T) {
	ledgertest.RunEndOfDay(t, func(t *testing.T) (ledger.Store, ledger.EndOfDayStore) {
		s := memledger.New()
		return s, s
	})
}
