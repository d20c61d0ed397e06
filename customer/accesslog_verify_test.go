package customer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
)

// truncatingStore hides the log entries after keep, as if someone had
// deleted the tail of the table.
type truncatingStore struct {
	*memcustomer.Store
	keep int64
}

func (s *truncatingStore) AccessLog(ctx context.Context, after int64, limit int) ([]customer.AccessEntry, error) {
	entries, err := s.Store.AccessLog(ctx, after, limit)
	var out []customer.AccessEntry
	for _, e := range entries {
		if s.keep == 0 || e.Seq <= s.keep {
			out = append(out, e)
		}
	}
	return out, err
}

func TestVerifyAccessLogToCatchesACutTail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &truncatingStore{Store: memcustomer.New()}
	svc, err := customer.NewService(store, exampleKeys())
	require.NoError(t, err)
	c, err := svc.Create(ctx, zhangSan())
	require.NoError(t, err)
	for range 5 {
		_, _, err := svc.Reveal(ctx, "teller", c.ID, []customer.Field{customer.FieldEmail}, "check")
		require.NoError(t, err)
	}
	log, err := svc.AccessLog(ctx, 0, 10)
	require.NoError(t, err)
	checkpoint := log[4] // the head, copied somewhere safe

	bad, err := svc.VerifyAccessLogTo(ctx, checkpoint.Seq, checkpoint.Hash)
	require.NoError(t, err)
	require.Zero(t, bad)

	store.keep = 3 // entries 4 and 5 deleted
	bad, err = svc.VerifyAccessLog(ctx)
	require.NoError(t, err, "the chain alone cannot tell")
	require.Zero(t, bad)
	bad, err = svc.VerifyAccessLogTo(ctx, checkpoint.Seq, checkpoint.Hash)
	require.ErrorIs(t, err, customer.ErrTampered)
	require.Equal(t, checkpoint.Seq, bad)

	store.keep = 0
	bad, err = svc.VerifyAccessLogTo(ctx, log[2].Seq, log[1].Hash)
	require.ErrorIs(t, err, customer.ErrTampered, "a checkpoint that does not match")
	require.Equal(t, log[2].Seq, bad)

	_, err = svc.VerifyAccessLogTo(ctx, 0, checkpoint.Hash)
	require.ErrorIs(t, err, customer.ErrInvalidInput)
	_, err = svc.VerifyAccessLogTo(ctx, 1, []byte("short"))
	require.ErrorIs(t, err, customer.ErrInvalidInput)
}
