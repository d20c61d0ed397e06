package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestExampleRuns(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), memledger.New(), &out))
	require.Contains(t, out.String(), "transfer      -250.50  balance     749.50  rent")
	require.Contains(t, out.String(), "bob's balance: 250.50 CNY")
	require.Contains(t, out.String(), "difference 0.00 CNY")
}
