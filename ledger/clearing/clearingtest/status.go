package clearingtest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// txStatus is one TxInfAndSts of a pacs.002 the suite receives.
type txStatus struct {
	ref    string // OrgnlEndToEndId
	msgID  string // OrgnlGrpInf/OrgnlMsgId; empty: none given
	status string
	reason string // Rsn/Cd
	info   string // AddtlInf
}

// groupStatus is one OrgnlGrpInfAndSts.
type groupStatus struct {
	msgID, status, reason string
}

// statusReport writes a pacs.002.001.10 answering our batches.
func statusReport(msgID string, groups []groupStatus, txs ...txStatus) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"><FIToFIPmtStsRpt>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-11-28T10:00:00Z</CreDtTm></GrpHdr>`, msgID)
	reason := func(code, info string) string {
		if code == "" && info == "" {
			return ""
		}
		s := "<StsRsnInf>"
		if code != "" {
			s += "<Rsn><Cd>" + code + "</Cd></Rsn>"
		}
		if info != "" {
			s += "<AddtlInf>" + info + "</AddtlInf>"
		}
		return s + "</StsRsnInf>"
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "<OrgnlGrpInfAndSts><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>", g.msgID)
		if g.status != "" {
			fmt.Fprintf(&b, "<GrpSts>%s</GrpSts>", g.status)
		}
		b.WriteString(reason(g.reason, "") + "</OrgnlGrpInfAndSts>")
	}
	for i, tx := range txs {
		fmt.Fprintf(&b, "<TxInfAndSts><StsId>S%d</StsId>", i+1)
		if tx.msgID != "" {
			fmt.Fprintf(&b, "<OrgnlGrpInf><OrgnlMsgId>%s</OrgnlMsgId><OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId></OrgnlGrpInf>", tx.msgID)
		}
		fmt.Fprintf(&b, "<OrgnlEndToEndId>%s</OrgnlEndToEndId><OrgnlTxId>%s</OrgnlTxId>", tx.ref, tx.ref)
		if tx.status != "" {
			fmt.Fprintf(&b, "<TxSts>%s</TxSts>", tx.status)
		}
		b.WriteString(reason(tx.reason, tx.info) + "</TxInfAndSts>")
	}
	b.WriteString("</FIToFIPmtStsRpt></Document>")
	return []byte(b.String())
}

func transferIDs(items []clearing.InboundItem) []ledger.ID {
	out := []ledger.ID{}
	for _, it := range items {
		out = append(out, it.TransferID)
	}
	return out
}

var statusTests = []test{
	{Name: "a pacs.002 returns rejected transfers with the reason, keeps the batch open while one is pending, and a final report settles the rest", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		b := f.funded("c2", "1000.00")
		c := f.funded("c3", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(b.ID, "200.00", "k2")
		t3 := f.out(c.ID, "100.00", "k3")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		// In flight: clearing suspense holds 300 + 200 + 100 = 600.
		f.RequireBalance(f.suspense.ID, "-600.00")

		first := statusReport("STS-1", []groupStatus{{msgID: batch.MessageID, status: "PART"}},
			txStatus{ref: t1.EndToEndID, status: "ACSC"},
			txStatus{ref: t2.EndToEndID, status: "RJCT", reason: "AC04", info: "Account closed"},
			txStatus{ref: t3.EndToEndID, status: "PDNG"})
		snap := f.snapshot()
		r, err := f.clr.Receive(f.Ctx, first)
		require.NoError(t, err)
		require.Equal(t, clearing.KindPaymentStatus, r.Kind)
		require.Equal(t, []ledger.ID{t2.ID}, transferIDs(r.Returned))
		require.Equal(t, "AC04", r.Returned[0].Reason)
		require.Equal(t, "Account closed", r.Returned[0].Info)
		require.ElementsMatch(t, []ledger.ID{t1.ID, t3.ID}, transferIDs(r.Pending), "t3 is pending, so t1 waits with its batch")
		require.Empty(t, r.Settled)
		require.Empty(t, r.SettledBatches)
		require.Empty(t, r.Rejected)
		// The rejected 200 went back to c2 from suspense: 600 - 200 = 400
		// stay in flight; nothing else moved.
		f.RequireBalance(b.ID, "1000.00")
		f.RequireBalance(f.suspense.ID, "-400.00")
		f.RequireBalance(f.settlement.ID, "0.00")
		require.Equal(t, clearing.StatusReturned, f.transferStatus(t2.ID))
		require.Equal(t, clearing.StatusBatched, f.transferStatus(t1.ID))
		require.Equal(t, clearing.StatusBatched, f.transferStatus(t3.ID))
		got, err := f.clr.Transfer(f.Ctx, t2.ID)
		require.NoError(t, err)
		require.Equal(t, "AC04", got.ReturnReason)
		require.False(t, got.ReturnedFromSettlement)
		e, err := f.Svc.Entry(f.Ctx, got.ReturnEntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: f.suspense.ID, Side: ledger.Debit, Amount: cny("200")},
			{AccountID: b.ID, Side: ledger.Credit, Amount: cny("200")},
		}, e.Postings)
		changed := 0
		for id, bal := range f.snapshot() {
			if snap[id] != bal {
				changed++
			}
		}
		require.Equal(t, 2, changed, "only c2 and clearing suspense moved")

		again, err := f.clr.Receive(f.Ctx, first)
		require.NoError(t, err)
		require.True(t, again.Replayed)
		f.RequireBalance(b.ID, "1000.00")
		f.RequireBalance(f.suspense.ID, "-400.00")

		// The final report accepts the whole batch: the group status holds
		// for t1 and t3; t2, returned, is left out. 300 + 100 = 400 move
		// from suspense to the settlement account.
		final, err := f.clr.Receive(f.Ctx, statusReport("STS-2", []groupStatus{{msgID: batch.MessageID, status: "ACSC"}}))
		require.NoError(t, err)
		require.ElementsMatch(t, []ledger.ID{t1.ID, t3.ID}, transferIDs(final.Settled))
		require.Equal(t, []ledger.ID{batch.ID}, final.SettledBatches)
		require.Empty(t, final.Returned)
		require.Empty(t, final.Rejected)
		settled, err := f.clr.Batch(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.True(t, settled.Settled)
		require.True(t, settled.SettledTotal.Equal(cny("400.00")), settled.SettledTotal.String())
		f.RequireBalance(f.suspense.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "-400.00")
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t1.ID))
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t3.ID))
		require.Equal(t, clearing.StatusReturned, f.transferStatus(t2.ID))
		f.RequireBalance(a.ID, "700.00")
		f.RequireBalance(c.ID, "900.00")
		f.RequireTrialBalanced()
	}},
	{Name: "a rejected batch returns every transfer with the group's reason, once however often it is reported", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		b := f.funded("c2", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(b.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		for _, msg := range []string{"STS-R1", "STS-R2"} {
			r, err := f.clr.Receive(f.Ctx, statusReport(msg, []groupStatus{{msgID: batch.MessageID, status: "RJCT", reason: "FF01"}}))
			require.NoError(t, err)
			require.False(t, r.Replayed)
			require.ElementsMatch(t, []ledger.ID{t1.ID, t2.ID}, transferIDs(r.Returned), msg)
			for _, it := range r.Returned {
				require.Equal(t, "FF01", it.Reason)
			}
			require.Empty(t, r.SettledBatches)
			f.RequireBalance(a.ID, "1000.00")
			f.RequireBalance(b.ID, "1000.00")
			f.RequireBalance(f.suspense.ID, "0.00")
			f.RequireBalance(f.settlement.ID, "0.00")
		}
		got, err := f.clr.Batch(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.False(t, got.Settled)
		f.RequireTrialBalanced()
	}},
	{Name: "transaction statuses without a group name their batch through the transfer; accepted alone settles it", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "250.00", "k1")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		r, err := f.clr.Receive(f.Ctx, statusReport("STS-T", nil, txStatus{ref: t1.EndToEndID, status: "ACCP"}))
		require.NoError(t, err)
		require.Equal(t, []ledger.ID{t1.ID}, transferIDs(r.Settled))
		require.Equal(t, []ledger.ID{batch.ID}, r.SettledBatches)
		require.NotEqual(t, ledger.NilID, r.Settled[0].EntryID)
		f.RequireBalance(f.settlement.ID, "-250.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t1.ID))
	}},
	{Name: "statuses that cannot be applied are reported and change nothing", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		_, err = f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		t2 := f.out(a.ID, "100.00", "k2") // pending: never sent
		other, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		t3 := f.out(a.ID, "50.00", "k3")
		snap := f.snapshot()

		r, err := f.clr.Receive(f.Ctx, statusReport("STS-X",
			[]groupStatus{{msgID: "B00000000000000000000000000000000", status: "ACSC"}, {msgID: "NOT-OURS", status: "RJCT"}},
			txStatus{ref: t1.EndToEndID, msgID: batch.MessageID, status: "RJCT", reason: "AC01"}, // settled already
			txStatus{ref: "UNKNOWN-REF", msgID: batch.MessageID, status: "RJCT"},
			txStatus{ref: t2.EndToEndID, msgID: batch.MessageID, status: "ACSC"}, // in another batch
			txStatus{ref: t3.EndToEndID, msgID: other.MessageID, status: "RJCT"}, // never sent
		))
		require.NoError(t, err)
		require.Empty(t, r.Returned)
		require.Empty(t, r.SettledBatches)
		require.Len(t, r.Rejected, 6)
		infos := map[string]bool{}
		for _, it := range r.Rejected {
			infos[it.Info] = true
		}
		require.True(t, infos["unknown original message B00000000000000000000000000000000"])
		require.True(t, infos["unknown original message NOT-OURS"])
		require.True(t, infos["unknown original payment"])
		require.True(t, infos["the transfer settled: a settled payment comes back by a return (pacs.004)"])
		require.True(t, infos["the transfer was not sent in "+batch.MessageID])
		require.True(t, infos["the transfer has not been sent"])
		require.Equal(t, snap, f.snapshot())
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t1.ID))
		require.Equal(t, clearing.StatusBatched, f.transferStatus(t2.ID))
		require.Equal(t, clearing.StatusPending, f.transferStatus(t3.ID))

		_, err = f.clr.Receive(f.Ctx, []byte(strings.Replace(string(statusReport("STS-BAD", nil, txStatus{ref: t2.EndToEndID, status: "ACSC"})), "ACSC", "acsc", 1)))
		require.ErrorIs(t, err, ledger.ErrInvalidInput)
		require.ErrorIs(t, err, iso20022.ErrInvalidMessage)
		_, err = f.cstore.InboundResult(f.Ctx, clearing.KindPaymentStatus, "STS-BAD")
		require.ErrorIs(t, err, ledger.ErrNotFound)
		require.Equal(t, snap, f.snapshot())
	}},
	{Name: "a pacs.002 run cut short after a rejection was marked is finished by receiving it again", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(a.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		// A crash right after the store marked t1 rejected (returned with
		// the group's FF01), before its refund posted.
		_, err = f.cstore.UpdateClearingTransfer(f.Ctx, t1.ID, func(tr clearing.Transfer) (clearing.Transfer, error) {
			tr.Status, tr.ReturnReason = clearing.StatusReturned, "FF01"
			return tr, nil
		})
		require.NoError(t, err)
		f.RequireBalance(a.ID, "500.00")
		r, err := f.clr.Receive(f.Ctx, statusReport("STS-C", []groupStatus{{msgID: batch.MessageID, status: "RJCT", reason: "FF01"}}))
		require.NoError(t, err)
		require.ElementsMatch(t, []ledger.ID{t1.ID, t2.ID}, transferIDs(r.Returned))
		// Both refunds posted, each once: 500 + 300 + 200.
		f.RequireBalance(a.ID, "1000.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		got, err := f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		require.NotEqual(t, ledger.NilID, got.ReturnEntryID)
		f.RequireTrialBalanced()
	}},
	{Name: "concurrent status reports of one batch refund and settle once", Run: func(t *testing.T, f *fixture) {
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
		var wg sync.WaitGroup
		for i := range 4 {
			msg := statusReport(fmt.Sprintf("STS-P%d", i), []groupStatus{{msgID: batch.MessageID, status: "ACSC"}},
				txStatus{ref: ts[0].EndToEndID, status: "RJCT", reason: "AC01"},
				txStatus{ref: ts[3].EndToEndID, status: "RJCT", reason: "AC01"})
			wg.Go(func() {
				_, err := f.clr.Receive(f.Ctx, msg)
				assertNoError(t, err)
			})
		}
		wg.Wait()
		// 10 + 20 + ... + 100 = 550 went out; 10 + 40 = 50 came back once;
		// the other 500 settled once.
		f.RequireBalance(a.ID, "9500.00")
		f.RequireBalance(f.suspense.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "-500.00")
		got, err := f.clr.Batch(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.True(t, got.SettledTotal.Equal(cny("500.00")), got.SettledTotal.String())
		f.RequireTrialBalanced()
	}},
}
