package pgledger_test

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/fx/fxtest"
)

func TestFXContract(t *testing.T) {
	fxtest.Run(t, func(t *testing.T) (ledger.Store, fx.Store) {
		s := newStore(t)
		return s, s
	})
}
