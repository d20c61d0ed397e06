package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return memledger.New() })
}
