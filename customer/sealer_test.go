package customer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
)

// A sealer's values open only for its purpose and their additional data,
// under the key they name, and a keyring whose key differs from the one
// the store knows seals nothing.
func TestSealer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memcustomer.New()
	keys, err := customer.ParseKeyring("k1:" + key('a') + ",k2:" + key('b') + ",primary:k1,index:" + key('i'))
	require.NoError(t, err)
	svc, err := customer.NewService(store, keys)
	require.NoError(t, err)
	replies := svc.Sealer("replies")

	sealed, err := replies.Seal(ctx, []byte("key-1"), []byte("born 1949-12-31"))
	require.NoError(t, err)
	require.NotContains(t, string(sealed), "1949")
	id, err := customer.SealedKeyID(sealed)
	require.NoError(t, err)
	require.Equal(t, "k1", id)
	plain, err := replies.Open([]byte("key-1"), sealed)
	require.NoError(t, err)
	require.Equal(t, "born 1949-12-31", string(plain))

	_, err = replies.Open([]byte("key-2"), sealed)
	require.ErrorIs(t, err, customer.ErrCorrupt, "bound to its additional data")
	_, err = svc.Sealer("exports").Open([]byte("key-1"), sealed)
	require.ErrorIs(t, err, customer.ErrCorrupt, "bound to its purpose")

	require.NoError(t, keys.SetPrimary("k2"))
	_, err = replies.Seal(ctx, []byte("key-3"), []byte("x"))
	require.NoError(t, err, "k2's first use records it")
	require.NoError(t, keys.Retire("k1"))
	_, err = replies.Open([]byte("key-1"), sealed)
	require.ErrorIs(t, err, customer.ErrUnknownKey)

	wrong, err := customer.ParseKeyring("k2:" + key('c') + ",index:" + key('i'))
	require.NoError(t, err)
	other, err := customer.NewService(store, wrong)
	require.NoError(t, err)
	_, err = other.Sealer("replies").Seal(ctx, []byte("key-1"), []byte("x"))
	require.ErrorIs(t, err, customer.ErrKeyMismatch)
}
