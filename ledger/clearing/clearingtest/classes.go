package clearingtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/money"
)

var classTests = []test{
	{Name: "outbound transfer to the owner's bound account at another bank does not count against class II limits; to others it does", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, friday(9, 0))
		one := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY, Class: ledger.ClassI})
		two := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY,
			Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{one.ID}})
		f.Deposit(two.ID, "100000.00")
		mine := clearing.ExternalAccount{BankCode: "102100099996", AccountNumber: "6222020200112233445", Name: "Alice Wang"}
		other := clearing.ExternalAccount{BankCode: "102100099996", AccountNumber: "6222020200199999999", Name: "Bob Li"}
		send := func(to clearing.ExternalAccount, amount string) error {
			_, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: two.ID, To: to, Amount: cny(amount)})
			return err
		}
		require.ErrorIs(t, send(mine, "20000.00"), ledger.ErrClassLimit, "not bound yet")
		_, err := f.Svc.BindExternal(f.Ctx, ledger.BindExternalRequest{AccountID: two.ID, By: "staff/t",
			Accounts: []ledger.ExternalAccount{{BankCode: mine.BankCode, AccountNumber: mine.AccountNumber, HolderName: mine.Name}}})
		require.NoError(t, err)
		// 20,000.00 by bulk (fee 1.00) and 3,000.00 online: neither counts, fee and all.
		require.NoError(t, send(mine, "20000.00"))
		require.NoError(t, send(mine, "3000.00"))
		// To another account at that bank: counted; 10,000.00 less the bulk fee (1.00) is what the day allows.
		require.ErrorIs(t, send(other, "9999.01"), ledger.ErrClassLimit)
		require.NoError(t, send(other, "9999.00"))
		require.ErrorIs(t, send(other, "1.00"), ledger.ErrClassLimit)
		// The day is spent; the bound account there is still paid.
		require.NoError(t, send(mine, "6000.00"))
		f.RequireBalance(two.ID, "60998.00") // 100,000 - 20,001 - 3,000 - 10,000 - 6,001
		f.RequireTrialBalanced()
	}},
}
