package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

func TestExampleRunsOnPostgres(t *testing.T) {
	_, url := pgtest.NewWithURL(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), url, &out))
	require.Contains(t, out.String(), "balance 80.00 CNY")
	require.Contains(t, out.String(), "trial balance difference 0.00 CNY")
	// Running again on the same database works: migrations are idempotent.
	out.Reset()
	require.NoError(t, run(context.Background(), url, &out))
	require.Contains(t, out.String(), "balance 80.00 CNY")
}
