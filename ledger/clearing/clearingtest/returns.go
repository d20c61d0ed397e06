package clearingtest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var returnTests = []test{
	{Name: "a return before settlement refunds the customer from suspense; settlement leaves it out", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		b := f.funded("c2", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(b.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)

		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-1", iso20022.ReasonClosedAccount, t1))
		require.NoError(t, err)
		require.Equal(t, clearing.KindPaymentReturn, r.Kind)
		require.Equal(t, "RET-1", r.MessageID)
		require.Len(t, r.Returned, 1)
		require.Empty(t, r.Rejected)
		require.Equal(t, t1.ID, r.Returned[0].TransferID)
		f.RequireBalance(a.ID, "1000.00")
		f.RequireBalance(f.suspense.ID, "-200.00")

		got, err := f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		require.Equal(t, clearing.StatusReturned, got.Status)
		require.Equal(t, "AC04", got.ReturnReason)
		require.Equal(t, "returned by the suite", got.ReturnInfo)
		require.False(t, got.ReturnedFromSettlement)
		require.Equal(t, r.Returned[0].EntryID, got.ReturnEntryID)
		e, err := f.Svc.Entry(f.Ctx, got.ReturnEntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: f.suspense.ID, Side: ledger.Debit, Amount: cny("300")},
			{AccountID: a.ID, Side: ledger.Credit, Amount: cny("300")},
		}, e.Postings)

		settled, err := f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.True(t, settled.SettledTotal.Equal(cny("200.00")))
		f.RequireBalance(f.suspense.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "-200.00")
		require.Equal(t, clearing.StatusReturned, f.transferStatus(t1.ID), "a returned transfer stays returned")
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t2.ID))
		f.RequireTrialBalanced()
	}},
	{Name: "a return after settlement refunds the customer from the settlement account", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		_, err = f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		f.RequireBalance(f.settlement.ID, "-300.00")

		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-2", iso20022.ReasonIncorrectAccount, t1))
		require.NoError(t, err)
		require.Len(t, r.Returned, 1)
		f.RequireBalance(a.ID, "1000.00")
		f.RequireBalance(f.settlement.ID, "0.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		got, err := f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		require.Equal(t, clearing.StatusReturned, got.Status)
		require.True(t, got.ReturnedFromSettlement)
		require.Equal(t, "AC01", got.ReturnReason)
		f.RequireTrialBalanced()
	}},
	{Name: "a return for a closed customer account goes to suspense for research", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "300.00")
		t1 := f.out(a.ID, "300.00", "k1")
		_, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		_, err = f.Svc.Close(f.Ctx, a.ID)
		require.NoError(t, err)
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-3", iso20022.ReasonIncorrectAccount, t1))
		require.NoError(t, err)
		require.Len(t, r.Returned, 1)
		f.RequireBalance(a.ID, "0.00")
		f.RequireBalance(f.research.ID, "300.00")
		f.RequireBalance(f.suspense.ID, "0.00")
	}},
	{Name: "returns of unknown or unsent payments are reported and change nothing", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		pending := f.out(a.ID, "50.00", "k1")
		unknown := clearing.Transfer{EndToEndID: "NOSUCHPAYMENT", Amount: cny("10.00")}
		before := f.snapshot()
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-4", iso20022.ReasonNotSpecified, unknown, pending))
		require.NoError(t, err)
		require.Empty(t, r.Returned)
		require.Len(t, r.Rejected, 2)
		require.Equal(t, "NOSUCHPAYMENT", r.Rejected[0].EndToEndID)
		require.Contains(t, r.Rejected[0].Info, "unknown")
		require.Equal(t, pending.ID, r.Rejected[1].TransferID)
		require.Equal(t, before, f.snapshot())
		require.Equal(t, clearing.StatusPending, f.transferStatus(pending.ID))
	}},
	{Name: "a partial return is reported, not applied", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "50.00", "k1")
		_, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		part := t1
		part.Amount = cny("20.00")
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-5", iso20022.ReasonNotSpecified, part))
		require.NoError(t, err)
		require.Len(t, r.Rejected, 1)
		require.Contains(t, r.Rejected[0].Info, "partial")
		require.Equal(t, clearing.StatusBatched, f.transferStatus(t1.ID))
		f.RequireBalance(a.ID, "950.00")
	}},
	{Name: "receiving the same return again refunds nothing twice", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		_, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		msg := returnOf(t, "RET-6", iso20022.ReasonClosedAccount, t1)
		first, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.False(t, first.Replayed)
		second, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.True(t, second.Replayed)
		require.Equal(t, first.Returned, second.Returned)
		f.RequireBalance(a.ID, "1000.00")
		// Another message returning the same transfer for another reason is
		// refused: a transfer comes back once.
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-7", iso20022.ReasonIncorrectAccount, t1))
		require.NoError(t, err)
		require.Len(t, r.Rejected, 1)
		f.RequireBalance(a.ID, "1000.00")
		f.RequireTrialBalanced()
	}},
	{Name: "a return or a settlement cut short after its record changed is finished by running it again", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(a.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		// A crash right after the store marked t1 returned, before the refund
		// posted.
		_, err = f.cstore.UpdateClearingTransfer(f.Ctx, t1.ID, func(tr clearing.Transfer) (clearing.Transfer, error) {
			tr.Status, tr.ReturnReason = clearing.StatusReturned, "AC04"
			return tr, nil
		})
		require.NoError(t, err)
		f.RequireBalance(a.ID, "500.00")
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-8", iso20022.ReasonClosedAccount, t1))
		require.NoError(t, err)
		require.Len(t, r.Returned, 1)
		f.RequireBalance(a.ID, "800.00")
		got, err := f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		require.Equal(t, r.Returned[0].EntryID, got.ReturnEntryID)

		// A crash right after the store marked the batch settled, before
		// the settlement posted.
		_, _, err = f.cstore.SettleClearingBatch(f.Ctx, batch.ID, start)
		require.NoError(t, err)
		f.RequireBalance(f.settlement.ID, "0.00")
		settled, err := f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.True(t, settled.SettledTotal.Equal(cny("200.00")))
		require.NotEqual(t, ledger.NilID, settled.SettlementEntryID)
		f.RequireBalance(f.settlement.ID, "-200.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t2.ID))
		f.RequireTrialBalanced()
	}},
}
