package memwealth_test

import (
	"testing"

	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/memwealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

func TestContract(t *testing.T) {
	wealthtest.Run(t, func(*testing.T) wealth.Store { return memwealth.New() })
}
