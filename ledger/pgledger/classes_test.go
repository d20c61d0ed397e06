package pgledger_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

// A class II account opened through one Store (one server process) is
// limited when another Store on the same database posts from it: the
// second reads the class from the database the first time it meets the
// account, and both count against the same usage.
func TestClassLimitsAcrossStores(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(ctx, db))
	first, err := ledger.NewService(pgledger.New(db))
	require.NoError(t, err)
	second, err := ledger.NewService(pgledger.New(db))
	require.NoError(t, err)
	_, err = first.SetupChart(ctx, money.CNY)
	require.NoError(t, err)

	two, err := first.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY, Class: ledger.ClassII})
	require.NoError(t, err)
	bob, err := first.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "bob", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	cny := func(v string) money.Money { return money.MustParse(v, "CNY") }
	_, err = first.Deposit(ctx, ledger.DepositRequest{AccountID: two.ID, Amount: cny("20000.00")})
	require.NoError(t, err)

	// 6,000.00 through the first, 4,000.00 through the second: the day's
	// 10,000.00; a cent more is refused by either.
	_, err = first.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("6000.00")})
	require.NoError(t, err)
	_, err = second.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("4000.01")})
	require.ErrorIs(t, err, ledger.ErrClassLimit)
	_, err = second.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("4000.00")})
	require.NoError(t, err)
	for _, svc := range []*ledger.Service{first, second} {
		_, err = svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("0.01")})
		require.ErrorIs(t, err, ledger.ErrClassLimit)
	}
	got, err := second.Account(ctx, two.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.ClassII, got.Class)
	require.Equal(t, "10000.00", got.Balance.ValueString())
}

// A rebinding through one Store (one server process) holds at once for
// another Store that cached the old binding: the posting path reads the
// binding of a limited account after locking it.
func TestRebindAcrossStores(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(ctx, db))
	first, err := ledger.NewService(pgledger.New(db))
	require.NoError(t, err)
	second, err := ledger.NewService(pgledger.New(db))
	require.NoError(t, err)
	_, err = first.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	open := func(c ledger.Class, bound ...ledger.ID) ledger.Account {
		a, err := first.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
			Class: c, BoundAccountIDs: bound})
		require.NoError(t, err)
		return a
	}
	one := open(ledger.ClassI)
	plain := open(ledger.ClassNone)
	two := open(ledger.ClassII, one.ID)
	cny := func(v string) money.Money { return money.MustParse(v, "CNY") }
	_, err = first.Deposit(ctx, ledger.DepositRequest{AccountID: two.ID, Amount: cny("40000.00")})
	require.NoError(t, err)
	// The first Store learns the binding: 15,000.00 to the class I passes.
	_, err = first.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("15000.00")})
	require.NoError(t, err)

	_, err = second.Rebind(ctx, ledger.RebindRequest{AccountID: two.ID, BoundAccountIDs: []ledger.ID{plain.ID}, By: "staff/x"})
	require.NoError(t, err)
	_, err = first.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("10000.01")})
	require.ErrorIs(t, err, ledger.ErrClassLimit, "the first Store counts by the new binding")
	_, err = first.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: plain.ID, Amount: cny("12000.00")})
	require.NoError(t, err, "and exempts the new bound account")
	history, err := first.Bindings(ctx, two.ID)
	require.NoError(t, err)
	require.Len(t, history, 1)
	require.Equal(t, []ledger.ID{one.ID}, history[0].From)
	require.Equal(t, []ledger.ID{plain.ID}, history[0].To)
}
