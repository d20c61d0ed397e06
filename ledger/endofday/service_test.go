package endofday_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/memledger"
)

func TestNewServiceRefusesBadOptions(t *testing.T) {
	t.Parallel()
	store := memledger.New()
	svc, err := ledger.NewService(store)
	require.NoError(t, err)
	for _, n := range []int{0, -1, endofday.MaxPageSize + 1} {
		e, err := endofday.NewService(svc, store, endofday.WithPageSize(n))
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "page size %d", n)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "page_size", fe.Field)
		require.Nil(t, e)
	}
	_, err = endofday.NewService(nil, store)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	_, err = endofday.NewService(svc, nil)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	_, err = endofday.NewService(svc, store, endofday.WithPageSize(endofday.MaxPageSize), endofday.WithDormancyAfter(-1))
	require.NoError(t, err)
}
