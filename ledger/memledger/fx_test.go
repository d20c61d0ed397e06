package memledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/fx/fxtest"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestFXContract(t *testing.T) {
	fxtest.Run(t, func(t *testing.T) (ledger.Store, fx.Store) {
		s := memledger.New()
		return s, s
	})
}
