package ledgertest

import (
	"strings"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var accountTests = []test{
	{Name: "OpenAccount", Run: testOpenAccount},
	{Name: "OpenAccountInvalid", Run: testOpenAccountInvalid},
	{Name: "OpenAccountIdempotent", Run: testOpenAccountIdempotent},
	{Name: "AccountLookupErrors", Run: testAccountLookupErrors},
	{Name: "SetupChartIdempotent", Run: testSetupChartIdempotent},
	{Name: "ListAccountsFiltersAndPages", Run: testListAccounts},
	{Name: "FreezeAndUnfreeze", Run: testFreeze},
	{Name: "DormantAccount", Run: testDormant},
	{Name: "CloseAccount", Run: testClose},
	{Name: "StatusChangeErrors", Run: testStatusErrors},
}

func testOpenAccount(t *testing.T, f *fixture) {
	a := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "cust-1", Product: ledger.ProductLoan, Currency: money.CNY})
	require.NoError(t, ledger.ValidateAccountNumber(a.Number))
	require.True(t, strings.HasPrefix(a.Number, ledger.DefaultNumberPrefix))
	require.Equal(t, ledger.Debit, a.NormalSide, "a loan is an asset of the bank")
	require.Equal(t, ledger.StatusActive, a.Status)
	require.Equal(t, ledger.PolicyNonNegative, a.Policy.Kind)
	require.Equal(t, f.Today, a.OpenedOn)
	require.True(t, a.Balance.Equal(money.Zero(money.CNY)))
	require.Equal(t, uint8(7), a.ID[6]>>4, "account ids are UUIDv7")

	d := f.Open("cust-1")
	require.Equal(t, ledger.Credit, d.NormalSide, "a deposit is a liability of the bank")
	require.NotEqual(t, a.Number, d.Number)

	byID := f.Account(a.ID)
	require.Equal(t, a.Number, byID.Number)
	require.Equal(t, "cust-1", byID.OwnerID)
	byNumber, err := f.Svc.AccountByNumber(f.Ctx, a.Number)
	require.NoError(t, err)
	require.Equal(t, a.ID, byNumber.ID)
}

func testOpenAccountInvalid(t *testing.T, f *fixture) {
	ok := ledger.OpenAccountRequest{OwnerID: "cust-1", Product: ledger.ProductDemand, Currency: money.CNY}
	tests := []struct {
		name  string
		edit  func(r *ledger.OpenAccountRequest)
		field string
	}{
		{"no owner", func(r *ledger.OpenAccountRequest) { r.OwnerID = "" }, "owner_id"},
		{"owner too long", func(r *ledger.OpenAccountRequest) { r.OwnerID = strings.Repeat("x", 201) }, "owner_id"},
		{"unknown product", func(r *ledger.OpenAccountRequest) { r.Product = "mortgage" }, "product"},
		{"internal product", func(r *ledger.OpenAccountRequest) { r.Product = ledger.ProductInternal }, "product"},
		{"unknown currency", func(r *ledger.OpenAccountRequest) { r.Currency = "XXY" }, "currency"},
		{"unknown policy", func(r *ledger.OpenAccountRequest) { r.Policy.Kind = "generous" }, "policy.kind"},
		{"unchecked customer", func(r *ledger.OpenAccountRequest) { r.Policy = ledger.Unchecked() }, "policy.kind"},
		{"negative overdraft", func(r *ledger.OpenAccountRequest) {
			r.Policy = ledger.Overdraft(decimal.RequireFromString("-1"))
		}, "policy.limit"},
		{"overdraft fractions of a fen", func(r *ledger.OpenAccountRequest) {
			r.Policy = ledger.Overdraft(decimal.RequireFromString("10.001"))
		}, "policy.limit"},
		{"limit without overdraft", func(r *ledger.OpenAccountRequest) {
			r.Policy = ledger.BalancePolicy{Kind: ledger.PolicyNonNegative, Limit: decimal.NewFromInt(5)}
		}, "policy.limit"},
		{"key not printable", func(r *ledger.OpenAccountRequest) { r.IdempotencyKey = "k\n" }, "idempotency_key"},
		{"key too long", func(r *ledger.OpenAccountRequest) { r.IdempotencyKey = strings.Repeat("k", 256) }, "idempotency_key"},
	}
	for _, tc := range tests {
		r := ok
		tc.edit(&r)
		_, err := f.Svc.OpenAccount(f.Ctx, r)
		requireInvalid(t, err, tc.field)
	}
	customers, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Product: ledger.ProductDemand})
	require.NoError(t, err)
	require.Empty(t, customers, "refused requests open nothing")
}

func testOpenAccountIdempotent(t *testing.T, f *fixture) {
	r := ledger.OpenAccountRequest{OwnerID: "cust-1", Product: ledger.ProductDemand, Currency: money.CNY, IdempotencyKey: "open-1"}
	first := f.OpenWith(r)
	again := f.OpenWith(r)
	require.Equal(t, first.ID, again.ID)
	require.Equal(t, first.Number, again.Number)

	r.Currency = money.USD
	_, err := f.Svc.OpenAccount(f.Ctx, r)
	require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)

	all, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: "cust-1"})
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testAccountLookupErrors(t *testing.T, f *fixture) {
	a := f.Open("cust-1")
	_, err := f.Svc.Account(f.Ctx, ledger.NewID())
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Account(f.Ctx, ledger.NilID)
	requireInvalid(t, err, "account_id")

	// Change the last digit: the check digit no longer matches.
	last := a.Number[len(a.Number)-1]
	wrong := a.Number[:len(a.Number)-1] + string('0'+(last-'0'+1)%10)
	_, err = f.Svc.AccountByNumber(f.Ctx, wrong)
	requireInvalid(t, err, "number")
	_, err = f.Svc.AccountByNumber(f.Ctx, "12ab")
	requireInvalid(t, err, "number")

	// A well-formed number nobody holds: swap in another body, recompute
	// the check digit by brute force over the ten candidates.
	for d := byte('0'); d <= '9'; d++ {
		candidate := "999999999999999" + string(d)
		if ledger.ValidateAccountNumber(candidate) == nil {
			_, err = f.Svc.AccountByNumber(f.Ctx, candidate)
			require.ErrorIs(t, err, ledger.ErrNotFound)
			return
		}
	}
	t.Fatal("no check digit makes 999999999999999x valid")
}

func testSetupChartIdempotent(t *testing.T, f *fixture) {
	again, err := f.Svc.SetupChart(f.Ctx, money.CNY)
	require.NoError(t, err)
	require.Len(t, again, len(ledger.DefaultChart()))
	require.Equal(t, f.Vault.ID, again[0].ID)
	chart := ledger.DefaultChart()
	for i, a := range again {
		require.Equal(t, chart[i].Code, a.Code)
		require.Equal(t, chart[i].NormalSide, a.NormalSide)
		require.Equal(t, ledger.ProductInternal, a.Product)
		require.Equal(t, ledger.PolicyUnchecked, a.Policy.Kind)
		require.Equal(t, money.CNY, a.Currency)
	}
	// A second Service on the same store finds the same chart.
	other, err := ledger.NewService(f.Store, ledger.WithClock(f.Clock))
	require.NoError(t, err)
	fees, err := other.ChartAccount(f.Ctx, money.CNY, ledger.CodeFeesIncome)
	require.NoError(t, err)
	for _, a := range again {
		if a.Code == ledger.CodeFeesIncome {
			require.Equal(t, a.ID, fees.ID)
		}
	}

	_, err = f.Svc.ChartAccount(f.Ctx, money.USD, ledger.CodeVaultCash)
	require.ErrorIs(t, err, ledger.ErrNotFound, "no USD chart yet")
	usdChart, err := f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	require.NotEqual(t, f.Vault.ID, usdChart[0].ID, "each currency has its own internal accounts")
	_, err = f.Svc.SetupChart(f.Ctx, "ZZZ")
	requireInvalid(t, err, "currency")

	internal, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Product: ledger.ProductInternal, Limit: 100})
	require.NoError(t, err)
	require.Len(t, internal, 2*len(ledger.DefaultChart()))
}

func testListAccounts(t *testing.T, f *fixture) {
	var mine []ledger.ID
	for i := range 7 {
		owner := "alice"
		if i%2 == 1 {
			owner = "bob"
		}
		a := f.Open(owner)
		if owner == "alice" {
			mine = append(mine, a.ID)
		}
	}
	_, err := f.Svc.SetupChart(f.Ctx, money.USD)
	require.NoError(t, err)
	usdAccount := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductTime, Currency: money.USD})
	mine = append(mine, usdAccount.ID)

	// Pages of 3 over alice's accounts, in ID order, without gaps.
	var got []ledger.ID
	after := ledger.NilID
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5, "paging must end")
		page, next, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{OwnerID: "alice", After: after, Limit: 3})
		require.NoError(t, err)
		for _, a := range page {
			got = append(got, a.ID)
		}
		if next == ledger.NilID {
			break
		}
		require.Equal(t, page[len(page)-1].ID, next)
		after = next
	}
	require.Equal(t, mine, got)
	for i := 1; i < len(got); i++ {
		require.Negative(t, ledger.CompareIDs(got[i-1], got[i]))
	}

	timeDeposits, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Product: ledger.ProductTime})
	require.NoError(t, err)
	require.Len(t, timeDeposits, 1)
	require.Equal(t, usdAccount.ID, timeDeposits[0].ID)

	inUSD, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Currency: money.USD, Product: ledger.ProductTime})
	require.NoError(t, err)
	require.Len(t, inUSD, 1)

	_, err = f.Svc.Freeze(f.Ctx, mine[0], ledger.StatusFrozen)
	require.NoError(t, err)
	frozen, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Status: ledger.StatusFrozen})
	require.NoError(t, err)
	require.Len(t, frozen, 1)
	require.Equal(t, mine[0], frozen[0].ID)

	for _, bad := range []struct {
		filter ledger.AccountFilter
		field  string
	}{
		{ledger.AccountFilter{Limit: 501}, "limit"},
		{ledger.AccountFilter{Limit: -1}, "limit"},
		{ledger.AccountFilter{Status: "sleepy"}, "status"},
		{ledger.AccountFilter{Product: "bond"}, "product"},
		{ledger.AccountFilter{Currency: "ABC"}, "currency"},
	} {
		_, _, err := f.Svc.ListAccounts(f.Ctx, bad.filter)
		requireInvalid(t, err, bad.field)
	}
}

func testFreeze(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	f.Deposit(b.ID, "100.00")

	frozen, err := f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozenDebits)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusFrozenDebits, frozen.Status)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	f.Transfer(b.ID, a.ID, "10.00") // credits still arrive

	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountFrozen)
	f.RequireBalance(a.ID, "110.00")
	f.RequireBalance(b.ID, "90.00")

	active, err := f.Svc.Unfreeze(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusActive, active.Status)
	f.Transfer(a.ID, b.ID, "110.00")
	f.RequireBalance(a.ID, "0.00")
	f.RequireTrialBalanced()
}

func testDormant(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "50.00")
	d, err := f.Svc.MarkDormant(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusDormant, d.Status)
	f.Deposit(a.ID, "5.00")
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountDormant)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountDormant)

	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	_, err = f.Svc.MarkDormant(f.Ctx, a.ID)
	require.ErrorIs(t, err, ledger.ErrAccountFrozen, "only an active account becomes dormant")

	_, err = f.Svc.Unfreeze(f.Ctx, a.ID)
	require.NoError(t, err)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("55.00")})
	require.NoError(t, err)
	f.RequireBalance(a.ID, "0.00")
}

func testClose(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "20.00")
	_, err := f.Svc.Close(f.Ctx, a.ID)
	require.ErrorIs(t, err, ledger.ErrAccountNotEmpty)

	hold, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("5.00")})
	require.NoError(t, err)
	f.Transfer(a.ID, b.ID, "15.00")
	f.RequireBalance(a.ID, "5.00", "0.00")
	_, err = f.Svc.ReleaseHold(f.Ctx, hold.Hold.ID)
	require.NoError(t, err)
	f.Transfer(a.ID, b.ID, "5.00")

	// Zero balance but an active hold cannot be had without a balance, so
	// the hold rule is seen above; now the account is empty.
	closed, err := f.Svc.Close(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusClosed, closed.Status)
	again, err := f.Svc.Close(f.Ctx, a.ID)
	require.NoError(t, err, "closing a closed account is a no-op")
	require.Equal(t, ledger.StatusClosed, again.Status)

	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountClosed)
	_, err = f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountClosed)
	_, err = f.Svc.Unfreeze(f.Ctx, a.ID)
	require.ErrorIs(t, err, ledger.ErrAccountClosed)
	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozen)
	require.ErrorIs(t, err, ledger.ErrAccountClosed)
	_, err = f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrAccountClosed)
	f.RequireBalance(b.ID, "20.00")
}

func testStatusErrors(t *testing.T, f *fixture) {
	_, err := f.Svc.Freeze(f.Ctx, ledger.NewID(), ledger.StatusFrozen)
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Close(f.Ctx, ledger.NilID)
	requireInvalid(t, err, "account_id")
	a := f.Open("alice")
	_, err = f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusClosed)
	requireInvalid(t, err, "status")
	_, err = f.Svc.Freeze(f.Ctx, f.Vault.ID, ledger.StatusFrozen)
	requireInvalid(t, err, "account_id")
	require.Equal(t, ledger.StatusActive, f.Account(a.ID).Status)
	require.Equal(t, ledger.StatusActive, f.Account(f.Vault.ID).Status)
}
