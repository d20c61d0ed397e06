package ledger_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// orderStore records the order of the store calls a posting makes.
type orderStore struct {
	ledger.Store
	mu    sync.Mutex
	calls []string
}

func (o *orderStore) note(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, s)
}

func (o *orderStore) BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error) {
	o.note("date")
	return o.Store.BusinessDate(ctx, initial)
}

func (o *orderStore) PostEntries(ctx context.Context, reqs []ledger.PostRequest) ([]ledger.PostResult, error) {
	o.note("post")
	return o.Store.PostEntries(ctx, reqs)
}

// gateFixture is a Service on memledger with two accounts, the first
// holding 100.00 CNY.
func gateFixture(t *testing.T) (*ledger.Service, *orderStore, ledger.Account, ledger.Account) {
	t.Helper()
	ctx := context.Background()
	store := &orderStore{Store: memledger.New()}
	svc, err := ledger.NewService(store)
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "a", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	b, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "b", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	_, err = svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("100.00", "CNY")})
	require.NoError(t, err)
	store.calls = nil
	return svc, store, a, b
}

func TestBeforePostRunsAfterTheReadsAndBeforeThePosting(t *testing.T) {
	t.Parallel()
	svc, store, a, b := gateFixture(t)
	ctx := ledger.WithBeforePost(context.Background(), func(context.Context) error {
		store.note("wait")
		return nil
	})
	r, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("30.00", "CNY")})
	require.NoError(t, err)
	require.False(t, r.Replayed)
	require.Equal(t, []string{"date", "wait", "post"}, store.calls)

	// A batch waits once, before its first chunk.
	store.calls = nil
	results, err := svc.TransferBatch(ctx, []ledger.TransferRequest{
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("1.00", "CNY")},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("2.00", "CNY")},
	})
	require.NoError(t, err)
	for _, r := range results {
		require.NoError(t, r.Err)
	}
	require.Equal(t, []string{"date", "wait", "post"}, store.calls)
}

func TestBeforePostRefusalPostsNothing(t *testing.T) {
	t.Parallel()
	svc, store, a, b := gateFixture(t)
	refused := errors.New("the caller's claim was refused")
	ctx := ledger.WithBeforePost(context.Background(), func(context.Context) error { return refused })

	_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID,
		Amount: money.MustParse("30.00", "CNY"), IdempotencyKey: "k1"})
	require.ErrorIs(t, err, refused)
	_, err = svc.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: money.MustParse("5.00", "CNY")})
	require.ErrorIs(t, err, refused)
	_, err = svc.TransferBatch(ctx, []ledger.TransferRequest{{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("1.00", "CNY")}})
	require.ErrorIs(t, err, refused)
	require.NotContains(t, store.calls, "post")

	// Nothing moved: a still holds 100.00, b nothing.
	got, err := svc.Account(context.Background(), a.ID)
	require.NoError(t, err)
	require.Equal(t, "100.00", got.Balance.ValueString())
	got, err = svc.Account(context.Background(), b.ID)
	require.NoError(t, err)
	require.True(t, got.Balance.IsZero())

	// The key was not used: the same transfer without the refusal posts.
	r, err := svc.Transfer(context.Background(), ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID,
		Amount: money.MustParse("30.00", "CNY"), IdempotencyKey: "k1"})
	require.NoError(t, err)
	require.False(t, r.Replayed)
}
