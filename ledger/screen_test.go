package ledger_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// refuseAbove refuses movements of more than 1,000 and records what it
// was asked.
type refuseAbove struct {
	mu   sync.Mutex
	seen []ledger.ScreenedMovement
	err  error
}

func (r *refuseAbove) Screen(_ context.Context, m ledger.ScreenedMovement) (ledger.Verdict, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, m)
	if r.err != nil {
		return ledger.Verdict{}, r.err
	}
	if m.Amount.Amount.GreaterThan(money.MustParse("1000.00", "CNY").Amount) {
		return ledger.Verdict{Refuse: true, Reason: "over 1,000"}, nil
	}
	return ledger.Verdict{}, nil
}

func TestScreenerRefusesBeforePosting(t *testing.T) {
	ctx := context.Background()
	sc := &refuseAbove{}
	svc, err := ledger.NewService(memledger.New(), ledger.WithScreener(sc),
		ledger.WithClock(calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "a", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	b, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "b", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)

	rc, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("900.00", "CNY"), IdempotencyKey: "d1"})
	require.NoError(t, err)
	require.Len(t, sc.seen, 1)
	require.Equal(t, rc.Entry.ID, sc.seen[0].EntryID, "the screener sees the id the entry posts with")
	require.Equal(t, "deposit/d1", sc.seen[0].IdempotencyKey)
	require.Equal(t, a.ID, sc.seen[0].To)

	_, err = svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("1000.01", "CNY")})
	require.ErrorIs(t, err, ledger.ErrScreeningRefused)
	require.Contains(t, err.Error(), "over 1,000")
	got, err := svc.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, "900.00", got.Balance.ValueString(), "nothing posted")

	// In a batch, only the refused transfer fails.
	res, err := svc.TransferBatch(ctx, []ledger.TransferRequest{
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("100.00", "CNY")},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("5000.00", "CNY")},
	})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	require.ErrorIs(t, res[1].Err, ledger.ErrScreeningRefused)

	// A failing screener refuses too (fail closed), with its own error.
	down := errors.New("screening down")
	sc.err = down
	_, err = svc.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: money.MustParse("1.00", "CNY")})
	require.ErrorIs(t, err, down)
	got, err = svc.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, "800.00", got.Balance.ValueString()) // 900 - 100
}
