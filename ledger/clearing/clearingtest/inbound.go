package clearingtest

import (
	"bytes"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/stretchr/testify/require"
)

var inboundTests = []test{
	{Name: "inbound credits reach good accounts; the rest go back in a pacs.004 with the reason", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		dormant := f.Open("c2")
		_, err := f.Svc.MarkDormant(f.Ctx, dormant.ID)
		require.NoError(t, err)
		closed := f.Open("c3")
		_, err = f.Svc.Close(f.Ctx, closed.ID)
		require.NoError(t, err)
		frozen := f.Open("c4")
		_, err = f.Svc.Freeze(f.Ctx, frozen.ID, ledger.StatusFrozen)
		require.NoError(t, err)
		debitsFrozen := f.Open("c5")
		_, err = f.Svc.Freeze(f.Ctx, debitsFrozen.ID, ledger.StatusFrozenDebits)
		require.NoError(t, err)

		msg := inboundCredits(t, "IN-1",
			inboundTx{"E2E-1", good.Number, "500.00"},
			inboundTx{"E2E-2", "6200000000000000", "20.00"}, // no such account
			inboundTx{"E2E-3", closed.Number, "30.00"},
			inboundTx{"E2E-4", dormant.Number, "40.00"}, // dormant accounts take credits
			inboundTx{"E2E-5", frozen.Number, "50.00"},
			inboundTx{"E2E-6", debitsFrozen.Number, "60.00"},
			inboundTx{"E2E-7", f.settlement.Number, "70.00"}, // our own internal account is not a beneficiary
		)
		r, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.Equal(t, clearing.KindCreditTransfer, r.Kind)
		require.Equal(t, "IN-1", r.MessageID)
		credited := map[string]clearing.InboundItem{}
		for _, it := range r.Credited {
			credited[it.EndToEndID] = it
		}
		require.Len(t, credited, 3)
		require.Contains(t, credited, "E2E-1")
		require.Contains(t, credited, "E2E-4")
		require.Contains(t, credited, "E2E-6")
		reasons := map[string]string{}
		for _, it := range r.Returned {
			reasons[it.EndToEndID] = it.Reason
		}
		require.Equal(t, map[string]string{"E2E-2": "AC01", "E2E-3": "AC04", "E2E-5": "AC06", "E2E-7": "AC01"}, reasons)

		f.RequireBalance(good.ID, "500.00")
		f.RequireBalance(dormant.ID, "40.00")
		f.RequireBalance(debitsFrozen.ID, "60.00")
		f.RequireBalance(closed.ID, "0.00")
		f.RequireBalance(frozen.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "600.00") // 500 + 40 + 60 came in through the nostro
		e, err := f.Svc.Entry(f.Ctx, credited["E2E-1"].EntryID)
		require.NoError(t, err)
		require.Equal(t, "E2E-1", e.Metadata["end_to_end_id"])

		sent := f.net.messages()
		require.Len(t, sent, 1)
		require.Equal(t, "pacs.004", sent[0].Kind)
		require.Equal(t, r.ReturnMessageID, sent[0].MessageID)
		require.Equal(t, r.ReturnMessage, sent[0].XML)
		ret, err := iso20022.ParsePaymentReturn(bytes.NewReader(sent[0].XML))
		require.NoError(t, err)
		require.Len(t, ret.Transactions, 4)
		require.True(t, ret.Header.TotalAmount.Equal(cny("170.00"))) // 20 + 30 + 50 + 70
		for _, tx := range ret.Transactions {
			require.Equal(t, "IN-1", tx.OriginalMessageID)
			require.Equal(t, reasons[tx.OriginalEndToEndID], string(tx.Reason))
		}
		f.RequireTrialBalanced()
	}},
	{Name: "receiving the same inbound file again posts and sends nothing", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		msg := inboundCredits(t, "IN-2",
			inboundTx{"E2E-1", good.Number, "500.00"},
			inboundTx{"E2E-2", "6200000000000000", "20.00"})
		first, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		second, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.True(t, second.Replayed)
		require.Equal(t, first.Credited, second.Credited)
		require.Equal(t, first.ReturnMessageID, second.ReturnMessageID)
		f.RequireBalance(good.ID, "500.00")
		require.Len(t, f.net.messages(), 1)
	}},
	{Name: "an inbound run cut short is completed by receiving the file again", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		msg := inboundCredits(t, "IN-3",
			inboundTx{"E2E-1", good.Number, "500.00"},
			inboundTx{"E2E-2", "6200000000000000", "20.00"})
		f.net.setFail(errNetworkDown) // the credits post, the return cannot be sent
		_, err := f.clr.Receive(f.Ctx, msg)
		require.ErrorIs(t, err, errNetworkDown)
		f.RequireBalance(good.ID, "500.00")
		f.net.setFail(nil)
		r, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.False(t, r.Replayed)
		require.Len(t, r.Credited, 1)
		require.Len(t, r.Returned, 1)
		f.RequireBalance(good.ID, "500.00", "500.00")
		require.Len(t, f.net.messages(), 1)
	}},
	{Name: "an invalid file is refused whole and changes nothing", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		valid := inboundCredits(t, "IN-4", inboundTx{"E2E-1", good.Number, "500.00"}, inboundTx{"E2E-2", good.Number, "1.00"})
		badTotal := bytes.Replace(valid, []byte(">501.00<"), []byte(">502.00<"), 1)
		require.NotEqual(t, valid, badTotal, "the total is in the message")
		cases := map[string][]byte{
			"empty":         nil,
			"not xml":       []byte("hello"),
			"truncated":     valid[:len(valid)/2],
			"control total": badTotal,
			"statement":     []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>`),
		}
		before := f.snapshot()
		for name, data := range cases {
			_, err := f.clr.Receive(f.Ctx, data)
			require.ErrorIs(t, err, ledger.ErrInvalidInput, name)
		}
		_, err := f.clr.Receive(f.Ctx, badTotal)
		require.ErrorIs(t, err, iso20022.ErrInvalidMessage)
		require.Equal(t, before, f.snapshot())
		require.Empty(t, f.net.messages())
		// The valid file still applies afterwards: nothing was recorded.
		r, err := f.clr.Receive(f.Ctx, valid)
		require.NoError(t, err)
		require.False(t, r.Replayed)
		f.RequireBalance(good.ID, "501.00")
	}},
	{Name: "a payment a pacs.004 cannot name is held in suspense and reported, not lost", Run: func(t *testing.T, f *fixture) {
		written := inboundCredits(t, "CH-2026-001",
			inboundTx{"E2E-1", "6200000000000000", "20.00"}, // unknown account, references we cannot write
			inboundTx{"E2E-2", "6200000000000000", "30.00"}) // unknown account, its own references are fine
		// Identifiers from the field may use characters bankkit never
		// writes, such as "_".
		msg := bytes.ReplaceAll(written, []byte("CH-2026-001"), []byte("CH_2026_001"))
		msg = bytes.ReplaceAll(msg, []byte(">E2E-1<"), []byte(">E2E_1<"))
		r, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.Len(t, r.Rejected, 1)
		require.Equal(t, "E2E_1", r.Rejected[0].EndToEndID)
		require.Contains(t, r.Rejected[0].Info, "suspense")
		require.Len(t, r.Returned, 1)
		require.Equal(t, "E2E-2", r.Returned[0].EndToEndID)
		f.RequireBalance(f.research.ID, "20.00")
		f.RequireBalance(f.settlement.ID, "20.00") // came in, held; the 30.00 went back
		ret, err := iso20022.ParsePaymentReturn(bytes.NewReader(r.ReturnMessage))
		require.NoError(t, err)
		require.Len(t, ret.Transactions, 1)
		require.Equal(t, "E2E-2", ret.Transactions[0].OriginalEndToEndID)
		require.Empty(t, ret.Transactions[0].OriginalMessageID, "a MsgId we cannot write is left out")
		f.RequireTrialBalanced()
	}},
}
