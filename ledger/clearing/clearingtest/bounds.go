package clearingtest

import (
	"bytes"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// Amounts above money.MaxAmount are refused going out and sent back coming
// in; text from the field is kept on one line, and text from a caller
// with a control character is refused, naming the field.
var boundTests = []test{
	{Name: "an outbound transfer above the largest amount is refused", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		above := money.MaxAmount(money.CNY)
		above.Amount = above.Amount.Add(decimal.New(1, -2))
		for _, m := range []money.Money{above, {Amount: decimal.New(1, 20), Currency: money.CNY}} {
			_, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: m,
				To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
			requireInvalid(t, err, "amount")
		}
		_, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny("1.00"),
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li\x00Wei"}})
		requireInvalid(t, err, "to.name")
		f.RequireBalance(a.ID, "1000.00")
	}},
	{Name: "an inbound credit above the largest amount, or one the account cannot hold, goes back (AM02)", Run: func(t *testing.T, f *fixture) {
		good, full := f.Open("c1"), f.Open("c2")
		f.Deposit(full.ID, "999999999989.99")
		msg := inboundCredits(t, "IN-MAX",
			inboundTx{"E2E-1", good.Number, "1000000000000.00"}, // one fen above the largest
			inboundTx{"E2E-2", full.Number, "10.00"},            // up to the largest: taken
			inboundTx{"E2E-3", full.Number, "0.01"},             // beyond it
			inboundTx{"E2E-4", good.Number, "5.00"},
		)
		r, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		reasons := map[string]string{}
		for _, it := range r.Returned {
			reasons[it.EndToEndID] = it.Reason
		}
		require.Equal(t, map[string]string{"E2E-1": "AM02", "E2E-3": "AM02"}, reasons)
		require.Len(t, r.Credited, 2)
		f.RequireBalance(good.ID, "5.00")
		f.RequireBalance(full.ID, money.MaxAmount(money.CNY).ValueString())
		ret, err := iso20022.ParsePaymentReturn(bytes.NewReader(f.net.messages()[0].XML))
		require.NoError(t, err)
		require.True(t, ret.Header.TotalAmount.Equal(cny("1000000000000.01")))
		f.RequireTrialBalanced()
	}},
	{Name: "an inbound credit's line breaks and tabs become spaces in the entry", Run: func(t *testing.T, f *fixture) {
		good := f.Open("c1")
		msg := inboundCredits(t, "IN-TEXT", inboundTx{"E2E-1", good.Number, "5.00"})
		msg = bytes.Replace(msg, []byte("Invoice E2E-1"), []byte("Invoice&#9;E2E-1&#10;March rent"), 1)
		r, err := f.clr.Receive(f.Ctx, msg)
		require.NoError(t, err)
		require.Len(t, r.Credited, 1)
		e, err := f.Svc.Entry(f.Ctx, r.Credited[0].EntryID)
		require.NoError(t, err)
		require.Equal(t, "Transfer from Zhang San: Invoice E2E-1 March rent", e.Description)
	}},
}

var reconBoundTests = []test{
	{Name: "statement ids, references and resolutions with control characters are refused", Run: func(t *testing.T, f *fixture) {
		lines, _ := f.reconScenario()
		_, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST\x00", Entries: lines})
		requireInvalid(t, err, "statement_id")
		bad := append([]iso20022.Entry(nil), lines...)
		bad[1].Reference = "REF\x00"
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: bad})
		requireInvalid(t, err, "entries[1].reference")

		r, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines})
		require.NoError(t, err)
		id := r.UnmatchedStatement[0].ID
		for field, req := range map[string]clearing.ResolveBreakRequest{
			"approver":     {BreakID: id, Approver: "ops\x00lead"},
			"description":  {BreakID: id, Approver: "ops-lead", Description: "fee\nrefund"},
			"counter_code": {BreakID: id, Approver: "ops-lead", CounterCode: "suspense\x00"},
		} {
			_, err := f.clr.ResolveBreak(f.Ctx, req)
			requireInvalid(t, err, field)
		}
		b, err := f.clr.Break(f.Ctx, id)
		require.NoError(t, err)
		require.Equal(t, clearing.BreakOpen, b.Status)
		require.Equal(t, ledger.NilID, b.AdjustmentEntryID)
	}},
}
