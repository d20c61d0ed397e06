package memcredit_test

import (
	"testing"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/memcredit"
)

func TestContract(t *testing.T) {
	credittest.Run(t, func(*testing.T) credit.Store { return memcredit.New() })
}
