package pgledger

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
)

// The class cache holds at most maxCachedClasses accounts: storing one
// more empties it (a later batch reads what it misses), and storing an
// account it has again does not count twice.
func TestClassCacheIsBounded(t *testing.T) {
	var c classCache
	first := ledger.ID(uuid.Must(uuid.NewV7()))
	c.put(ledger.Account{ID: first, Class: ledger.ClassII})
	for range 3 {
		c.put(ledger.Account{ID: first, Class: ledger.ClassII}) // again: not a new entry
	}
	for i := 1; i < maxCachedClasses; i++ {
		c.store(ledger.ID(uuid.Must(uuid.NewV7())), classInfo{})
	}
	info, ok := c.get(first)
	require.True(t, ok, "full, not yet over")
	require.Equal(t, ledger.ClassII, info.class)
	require.EqualValues(t, maxCachedClasses, c.n.Load())

	c.store(ledger.ID(uuid.Must(uuid.NewV7())), classInfo{})
	_, ok = c.get(first)
	require.False(t, ok, "one more empties it")
	require.Zero(t, c.n.Load())
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	require.Zero(t, n)
}
