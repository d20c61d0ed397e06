package pgtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

func TestNewGivesEachTestItsOwnDatabase(t *testing.T) {
	a := pgtest.New(t)
	b := pgtest.New(t)

	var nameA, nameB string
	require.NoError(t, a.Get(&nameA, "SELECT current_database()"))
	require.NoError(t, b.Get(&nameB, "SELECT current_database()"))
	require.NotEqual(t, nameA, nameB)

	_, err := a.Exec("CREATE TABLE only_in_a (id int)")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.Get(&n, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'only_in_a'"))
	require.Zero(t, n, "a table created in one test database is visible in another")
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"postgresql://u:p@h/test", "postgresql://u:p@h/x"},
		{"host=127.0.0.1 user=postgres dbname=test", "host=127.0.0.1 user=postgres dbname=test dbname=x"},
	} {
		got, err := pgtest.WithDatabase(tc.base, "x")
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}
