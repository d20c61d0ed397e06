package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/endofday/endofdaytest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestEndOfDayContract(t *testing.T) {
	endofdaytest.Run(t, func(t *testing.T) (ledger.Store, endofday.Store) {
		s := memledger.New()
		return s, s
	})
}
