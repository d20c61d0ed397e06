package pgscratch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Names that are not plain identifiers, and the database the operator
// connects with, are refused before anything is dropped.
func TestFreshRefusesBadNames(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"", "Bank", "a;DROP DATABASE x", "1abc", "a-b"} {
		_, err := Fresh(ctx, "postgres://u@127.0.0.1:1/postgres", name)
		require.ErrorContains(t, err, "lower-case SQL identifier", name)
	}
	_, err := Fresh(ctx, "postgres://u@127.0.0.1:1/bank", "bank")
	require.ErrorContains(t, err, "is the database of -database-url")
	_, err = Fresh(ctx, "mysql://u@127.0.0.1:1/bank", "scratch")
	require.ErrorContains(t, err, "want a postgres:// URL")
}
