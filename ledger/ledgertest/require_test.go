package ledgertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// probe is a testing.TB that records a failure instead of ending the test.
type probe struct {
	testing.TB
	failed bool
	msg    string
}

type stopped struct{}

func (p *probe) Helper() {}
func (p *probe) Errorf(format string, args ...any) {
	p.failed = true
	p.msg += fmt.Sprintf(format, args...)
}
func (p *probe) FailNow() { panic(stopped{}) }

// fails reports whether check failed the test, and with what message.
func fails(t *testing.T, check func(testing.TB)) (bool, string) {
	p := &probe{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != (stopped{}) {
				panic(r)
			}
		}()
		check(p)
	}()
	return p.failed, p.msg
}

func TestRequireHelpers(t *testing.T) {
	ctx := context.Background()
	svc, err := ledger.NewService(memledger.New())
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	vault, err := svc.ChartAccount(ctx, money.CNY, ledger.CodeVaultCash)
	require.NoError(t, err)
	acct, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "c-1", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	r, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: money.MustParse("100", "CNY")})
	require.NoError(t, err)
	_, err = svc.PlaceHold(ctx, ledger.HoldRequest{AccountID: acct.ID, Amount: money.MustParse("30", "CNY")})
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		check   func(testing.TB)
		fails   bool
		message string
	}{
		{"balanced", func(t testing.TB) { ledgertest.RequireBalanced(t, svc) }, false, ""},
		{"balance", func(t testing.TB) { ledgertest.RequireBalance(t, svc, acct.ID, money.MustParse("100.00", "CNY")) }, false, ""},
		{"wrong balance", func(t testing.TB) { ledgertest.RequireBalance(t, svc, acct.ID, money.MustParse("99", "CNY")) }, true, "want 99.00 CNY, got 100.00 CNY"},
		{"wrong currency", func(t testing.TB) { ledgertest.RequireBalance(t, svc, acct.ID, money.MustParse("100", "USD")) }, true, "balance of account"},
		{"available", func(t testing.TB) { ledgertest.RequireAvailable(t, svc, acct.ID, money.MustParse("70", "CNY")) }, false, ""},
		{"wrong available", func(t testing.TB) { ledgertest.RequireAvailable(t, svc, acct.ID, money.MustParse("100", "CNY")) }, true, "available balance"},
		{"posted", func(t testing.TB) {
			ledgertest.RequirePosted(t, svc, r.Entry.ID,
				ledger.Posting{AccountID: acct.ID, Side: ledger.Credit, Amount: money.MustParse("100", "CNY")},
				ledger.Posting{AccountID: vault.ID, Side: ledger.Debit, Amount: money.MustParse("100.00", "CNY")})
		}, false, ""},
		{"posted, a posting missing", func(t testing.TB) {
			ledgertest.RequirePosted(t, svc, r.Entry.ID, ledger.Posting{AccountID: acct.ID, Side: ledger.Credit, Amount: money.MustParse("100", "CNY")})
		}, true, "postings beyond those expected"},
		{"posted, wrong side", func(t testing.TB) {
			ledgertest.RequirePosted(t, svc, r.Entry.ID,
				ledger.Posting{AccountID: acct.ID, Side: ledger.Debit, Amount: money.MustParse("100", "CNY")},
				ledger.Posting{AccountID: vault.ID, Side: ledger.Credit, Amount: money.MustParse("100", "CNY")})
		}, true, "has no debit"},
		{"posted, no such entry", func(t testing.TB) { ledgertest.RequirePosted(t, svc, ledger.NewID()) }, true, "not found"},
	} {
		failed, msg := fails(t, tc.check)
		require.Equal(t, tc.fails, failed, "%s: %s", tc.name, msg)
		require.Contains(t, msg, tc.message, tc.name)
	}
}

func TestRequireBalancedCatchesAnUnbalancedStore(t *testing.T) {
	ctx := context.Background()
	svc, err := ledger.NewService(unbalanced{memledger.New()})
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	failed, msg := fails(t, func(t testing.TB) { ledgertest.RequireBalanced(t, svc, money.CNY) })
	require.True(t, failed)
	require.Contains(t, msg, "the CNY trial balance is off by")
}

// unbalanced is a broken store whose first account reads 1 CNY more than
// was posted to it.
type unbalanced struct{ *memledger.Store }

func (u unbalanced) AccountBalances(ctx context.Context, c money.Currency) ([]ledger.Account, error) {
	accounts, err := u.Store.AccountBalances(ctx, c)
	if err == nil && len(accounts) > 0 {
		accounts[0].Balance.Amount = accounts[0].Balance.Amount.Add(decimal.NewFromInt(1))
	}
	return accounts, err
}
