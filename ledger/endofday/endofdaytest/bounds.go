package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// The largest amount a customer may hold earns interest at the highest
// rate a product may pay (100%) without a run failing: the bank's interest
// takes the balance beyond money.MaxAmount, within what the books carry.
var boundTests = []test{
	{Name: "LargestBalanceEarnsInterest", Run: testLargestBalanceEarnsInterest},
	{Name: "LargestTimeDepositPaysOut", Run: testLargestTimeDepositPaysOut},
}

func testLargestBalanceEarnsInterest(t *testing.T, f *fixture) {
	largest := money.MaxAmount(money.CNY)
	f.setProduct("max", product("1", interest.Monthly))
	a := f.saver("alice", largest.ValueString(), "max")
	for _, sum := range f.runThrough(calendar.MustDate(2026, time.May, 1)) {
		require.Empty(t, sum.Failures, "run of %s", sum.Date)
	}
	require.Len(t, f.interestLines(a.ID), 2, "March and April")
	balance := f.Account(a.ID).Balance
	require.True(t, balance.Amount.GreaterThan(largest.Amount), "balance %s", balance)
	require.True(t, balance.Amount.LessThan(largest.Amount.Mul(decimal.NewFromInt(2))), "balance %s", balance)
	_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrBalanceLimit)
	f.RequireTrialBalanced()
}

func testLargestTimeDepositPaysOut(t *testing.T, f *fixture) {
	largest := money.MaxAmount(money.CNY)
	f.setProduct("term", product("1", interest.AtMaturity))
	demand := f.Open("alice")
	f.Deposit(demand.ID, largest.ValueString())
	above := largest
	above.Amount = above.Amount.Add(decimal.New(1, -2))
	_, err := f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: above,
		TermMonths: 1, ProductCode: "term", Instruction: interest.PayOut})
	requireInvalid(t, err, "principal")
	r, err := f.openDeposit(demand.ID, largest.ValueString(), 1, interest.PayOut, "td-max")
	require.NoError(t, err)
	var matured int
	for _, sum := range f.runThrough(calendar.MustDate(2026, time.April, 2)) {
		require.Empty(t, sum.Failures, "run of %s", sum.Date)
		matured += sum.Maturities
	}
	require.Equal(t, 1, matured)
	// 31 days at 100% on ACT/365: 999999999999.99 × 31/365, rounded.
	f.RequireBalance(demand.ID, "1084931506849.30")
	f.RequireBalance(r.Deposit.ID, "0.00")
	f.RequireTrialBalanced()
}
