package clearingtest

import (
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var concurrencyTests = []test{
	{Name: "concurrent outbound transfers with one key post once", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		ids := make([]ledger.ID, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				tr, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny("100.00"),
					IdempotencyKey: "same", To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
				if assertNoError(t, err) {
					ids[i] = tr.ID
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			require.Equal(t, ids[0], id)
		}
		f.RequireBalance(a.ID, "900.00")
		f.RequireBalance(f.suspense.ID, "-100.00")
	}},
	{Name: "concurrent uploads of one inbound file credit once", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		msg := inboundCredits(t, "IN-C", inboundTx{"E2E-1", good.Number, "500.00"}, inboundTx{"E2E-2", good.Number, "0.50"})
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				_, err := f.clr.Receive(f.Ctx, msg)
				assertNoError(t, err)
			})
		}
		wg.Wait()
		f.RequireBalance(good.ID, "500.50")
		f.RequireBalance(f.settlement.ID, "500.50")
	}},
	{Name: "settlement racing returns leaves suspense empty and the nostro short by what stayed sent", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "10000.00")
		var ts []clearing.Transfer
		for i := range 10 {
			amount := cny("10.00")
			amount.Amount = amount.Amount.Mul(decimalOf(i + 1))
			tr, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: amount,
				To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
			require.NoError(t, err)
			ts = append(ts, tr)
		}
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		returned := []clearing.Transfer{ts[0], ts[3], ts[4], ts[9]} // 10 + 40 + 50 + 100 = 200
		var wg sync.WaitGroup
		wg.Go(func() {
			_, err := f.clr.Settle(f.Ctx, batch.ID)
			assertNoError(t, err)
		})
		for i, tr := range returned {
			msg := returnOf(t, "RET-C"+string(rune('0'+i)), iso20022.ReasonIncorrectAccount, tr)
			wg.Go(func() {
				_, err := f.clr.Receive(f.Ctx, msg)
				assertNoError(t, err)
			})
		}
		wg.Wait()
		// 10 + 20 + ... + 100 = 550 went out; 200 came back.
		f.RequireBalance(a.ID, "9650.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "-350.00")
		for _, tr := range returned {
			require.Equal(t, clearing.StatusReturned, f.transferStatus(tr.ID))
		}
		f.RequireTrialBalanced()
	}},
}
