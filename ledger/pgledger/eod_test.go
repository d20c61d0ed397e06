package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/endofday/endofdaytest"
)

func TestEndOfDayContract(t *testing.T) {
	endofdaytest.Run(t, func(t *testing.T) (ledger.Store, endofday.Store) {
		s := newStore(t)
		return s, s
	})
}
