package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// collidingStore refuses the first collisions account numbers as taken,
// the way a store does when a random number is already in use.
type collidingStore struct {
	ledger.Store
	collisions int
	tried      []string
}

func (s *collidingStore) CreateAccount(ctx context.Context, a ledger.Account, key string, fp ledger.Fingerprint) (ledger.Account, bool, error) {
	s.tried = append(s.tried, a.Number)
	if len(s.tried) <= s.collisions {
		return ledger.Account{}, false, fmt.Errorf("%w: account number %s", ledger.ErrDuplicate, a.Number)
	}
	return s.Store.CreateAccount(ctx, a, key, fp)
}

func TestOpenAccountRedrawsTakenNumbers(t *testing.T) {
	t.Parallel()
	store := &collidingStore{Store: memledger.New(), collisions: 3}
	svc, err := ledger.NewService(store)
	require.NoError(t, err)
	a, err := svc.OpenAccount(t.Context(), ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	require.Len(t, store.tried, 4)
	require.Equal(t, store.tried[3], a.Number)
	require.Len(t, map[string]bool{store.tried[0]: true, store.tried[1]: true, store.tried[2]: true, store.tried[3]: true}, 4,
		"each attempt draws a new number")

	always := &collidingStore{Store: memledger.New(), collisions: 1 << 30}
	svc, err = ledger.NewService(always)
	require.NoError(t, err)
	_, err = svc.OpenAccount(t.Context(), ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	require.ErrorIs(t, err, ledger.ErrDuplicate, "gives up after a bounded number of draws")
}
