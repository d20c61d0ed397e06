package memrisk_test

import (
	"testing"

	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/memrisk"
	"github.com/bankkit/bankkit/risk/risktest"
)

func TestContract(t *testing.T) {
	risktest.Run(t, func(t *testing.T) risk.Store { return memrisk.New() })
}
