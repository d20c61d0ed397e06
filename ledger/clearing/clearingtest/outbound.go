package clearingtest

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var outboundTests = []test{
	{Name: "outbound transfer debits the customer and credits clearing suspense at once", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		tr := f.out(a.ID, "300.00", "k1")
		require.Equal(t, clearing.StatusPending, tr.Status)
		require.Equal(t, a.ID, tr.FromAccountID)
		require.Equal(t, a.Number, tr.FromAccountNumber)
		require.True(t, tr.Amount.Equal(cny("300.00")))
		require.Len(t, tr.EndToEndID, 32)
		require.Equal(t, clearing.EndToEndIDOf(tr.ID), tr.EndToEndID)
		f.RequireBalance(a.ID, "700.00")
		// Clearing suspense is debit-normal: a credit takes it below zero.
		f.RequireBalance(f.suspense.ID, "-300.00")
		e, err := f.Svc.Entry(f.Ctx, tr.EntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: a.ID, Side: ledger.Debit, Amount: cny("300")},
			{AccountID: f.suspense.ID, Side: ledger.Credit, Amount: cny("300")},
		}, e.Postings)
		got, err := f.clr.Transfer(f.Ctx, tr.ID)
		require.NoError(t, err)
		require.Equal(t, tr, got)
		f.RequireTrialBalanced()
	}},
	{Name: "outbound transfer with the same key posts once; another request with it conflicts", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		first := f.out(a.ID, "300.00", "k1")
		again := f.out(a.ID, "300.00", "k1")
		require.Equal(t, first.ID, again.ID)
		f.RequireBalance(a.ID, "700.00")
		_, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{
			FromAccountID: a.ID, Amount: cny("301.00"), IdempotencyKey: "k1",
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
		})
		require.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
		f.RequireBalance(a.ID, "700.00")
	}},
	{Name: "outbound transfer refuses bad requests and changes nothing", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "100.00")
		good := clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny("10.00"),
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}}
		cases := []struct {
			field  string
			change func(*clearing.TransferOutRequest)
		}{
			{"from_account_id", func(r *clearing.TransferOutRequest) { r.FromAccountID = ledger.NilID }},
			{"to.bank_code", func(r *clearing.TransferOutRequest) { r.To.BankCode = "" }},
			{"to.account_number", func(r *clearing.TransferOutRequest) { r.To.AccountNumber = "" }},
			{"to.name", func(r *clearing.TransferOutRequest) { r.To.Name = "" }},
			{"amount", func(r *clearing.TransferOutRequest) { r.Amount = cny("0") }},
			{"amount", func(r *clearing.TransferOutRequest) {
				r.Amount = money.Money{Amount: decimal.RequireFromString("1.005"), Currency: money.CNY}
			}},
			{"to.account_number", func(r *clearing.TransferOutRequest) { r.To.AccountNumber = "DE00370400440532013000" }}, // bad IBAN check digits
			{"to.bank_code", func(r *clearing.TransferOutRequest) { r.To.BankCode = "01//02" }},
		}
		before := f.snapshot()
		for i, tc := range cases {
			r := good
			tc.change(&r)
			_, err := f.clr.TransferOut(f.Ctx, r)
			require.Error(t, err, "case %d", i)
			requireInvalid(t, err, tc.field)
		}
		r := good
		r.Amount = cny("100.01")
		_, err := f.clr.TransferOut(f.Ctx, r)
		require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
		r.Amount = usd("1.00")
		_, err = f.clr.TransferOut(f.Ctx, r)
		require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
		require.Equal(t, before, f.snapshot())
		_, err = f.clr.CutBatch(f.Ctx, money.CNY)
		require.ErrorIs(t, err, ledger.ErrNotFound, "a refused transfer leaves nothing to clear")
	}},
	{Name: "a clearing without the bank's identity, or with a bad option, is refused", Run: func(t *testing.T, f *fixture) {
		_, err := clearing.NewService(f.Svc, f.cstore, f.recon, f.net)
		requireInvalid(t, err, "bank_identity")
		identity := clearing.WithBankIdentity(testBIC, testMemberID)
		_, err = clearing.NewService(f.Svc, f.cstore, f.recon, f.net, identity, clearing.WithBatchLimit(0))
		requireInvalid(t, err, "batch_limit")
		_, err = clearing.NewService(f.Svc, f.cstore, f.recon, f.net, identity, clearing.WithMatchWindow(31))
		requireInvalid(t, err, "match_window")
		_, err = clearing.NewService(f.Svc, f.cstore, nil, f.net, identity)
		requireInvalid(t, err, "clearing")
	}},
	{Name: "a batch carries the pending transfers as a pacs.008 the clearing house can read", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		b := f.funded("c2", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(b.ID, "45.50", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		require.Equal(t, []ledger.ID{t1.ID, t2.ID}, batch.TransferIDs)
		require.True(t, batch.Total.Equal(cny("345.50")))
		require.Equal(t, f.Today, batch.SettlementDate)
		for _, id := range batch.TransferIDs {
			tr, err := f.clr.Transfer(f.Ctx, id)
			require.NoError(t, err)
			require.Equal(t, clearing.StatusBatched, tr.Status)
			require.Equal(t, batch.ID, tr.BatchID)
		}
		sent := f.net.messages()
		require.Len(t, sent, 1)
		require.Equal(t, batch.MessageID, sent[0].MessageID)
		require.Equal(t, "pacs.008", sent[0].Kind)
		require.Equal(t, batch.Message, sent[0].XML)

		m, err := iso20022.ParseCreditTransfer(bytes.NewReader(batch.Message))
		require.NoError(t, err)
		require.Equal(t, batch.MessageID, m.Header.MessageID)
		require.Equal(t, 2, m.Header.NumberOfTransactions)
		require.True(t, m.Header.TotalAmount.Equal(cny("345.50")))
		require.Equal(t, t1.EndToEndID, m.Transactions[0].EndToEndID)
		require.True(t, m.Transactions[1].Amount.Equal(cny("45.50")))
		require.Equal(t, "6222000011112222", m.Transactions[0].CreditorAccount.Number())
		require.Equal(t, "0102", m.Transactions[0].CreditorAgent.MemberID)
		require.Equal(t, "Li Wei", m.Transactions[0].Creditor.Name)
		require.Equal(t, testBIC, m.Transactions[0].DebtorAgent.BIC)
		require.Equal(t, a.Number, m.Transactions[0].DebtorAccount.Number())

		again, err := f.clr.Batch(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.Equal(t, batch.Message, again.Message, "the message is written the same every time")
		_, err = f.clr.CutBatch(f.Ctx, money.CNY)
		require.ErrorIs(t, err, ledger.ErrNotFound, "nothing left to cut")
		_, err = f.clr.CutBatch(f.Ctx, money.Currency("XXQ"))
		requireInvalid(t, err, "currency")
	}},
	{Name: "a failed send leaves the batch cut; SendBatch sends the same message", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		f.out(a.ID, "10.00", "")
		f.net.setFail(errNetworkDown)
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.ErrorIs(t, err, errNetworkDown)
		require.NotEqual(t, ledger.NilID, batch.ID)
		require.Empty(t, f.net.messages())
		f.net.setFail(nil)
		sent, err := f.clr.SendBatch(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.Equal(t, batch.Message, sent.Message)
		require.Len(t, f.net.messages(), 1)
	}},
	{Name: "the batch limit splits the pending transfers, oldest first", Run: func(t *testing.T, f *fixture) {
		f2 := newFixtureOver(t, f, clearing.WithBatchLimit(2))
		a := f2.funded("c1", "1000.00")
		t1, t2, t3 := f2.out(a.ID, "1.00", "a"), f2.out(a.ID, "2.00", "b"), f2.out(a.ID, "3.00", "c")
		b1, err := f2.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		require.Equal(t, []ledger.ID{t1.ID, t2.ID}, b1.TransferIDs)
		b2, err := f2.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		require.Equal(t, []ledger.ID{t3.ID}, b2.TransferIDs)
		require.NotEqual(t, b1.MessageID, b2.MessageID)
	}},
	{Name: "settlement moves the batch total from suspense to the settlement account once", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(a.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		settled, err := f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.True(t, settled.Settled)
		require.True(t, settled.SettledTotal.Equal(cny("500.00")))
		require.NotEqual(t, ledger.NilID, settled.SettlementEntryID)
		f.RequireBalance(f.suspense.ID, "0.00")
		f.RequireBalance(f.settlement.ID, "-500.00") // money left our nostro
		f.RequireBalance(a.ID, "500.00")
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t1.ID))
		require.Equal(t, clearing.StatusSettled, f.transferStatus(t2.ID))
		e, err := f.Svc.Entry(f.Ctx, settled.SettlementEntryID)
		require.NoError(t, err)
		require.Equal(t, batch.MessageID, e.Metadata["message_id"])

		lines := f.LineCount(f.settlement.ID)
		again, err := f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		require.Equal(t, settled.SettlementEntryID, again.SettlementEntryID)
		require.Equal(t, lines, f.LineCount(f.settlement.ID), "a second settlement posts nothing")
		f.RequireBalance(f.settlement.ID, "-500.00")
		_, err = f.clr.Settle(f.Ctx, ledger.NewID())
		require.ErrorIs(t, err, ledger.ErrNotFound)
		f.RequireTrialBalanced()
	}},
	{Name: "concurrent batch cuts put every transfer in exactly one batch", Run: func(t *testing.T, f *fixture) {
		f2 := newFixtureOver(t, f, clearing.WithBatchLimit(3))
		a := f2.funded("c1", "100000.00")
		const transfers = 20
		want := money.Zero(money.CNY)
		for i := range transfers {
			amount := cny("1.00")
			amount.Amount = amount.Amount.Mul(decimalOf(i + 1))
			tr, err := f2.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: amount,
				To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
			require.NoError(t, err)
			want.Amount = want.Amount.Add(tr.Amount.Amount)
		}
		var mu sync.Mutex
		var batches []clearing.Batch
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					b, err := f2.clr.CutBatch(f.Ctx, money.CNY)
					if errors.Is(err, ledger.ErrNotFound) {
						return
					}
					if !assertNoError(t, err) {
						return
					}
					mu.Lock()
					batches = append(batches, b)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		seen := map[ledger.ID]ledger.ID{}
		total := money.Zero(money.CNY)
		for _, b := range batches {
			require.LessOrEqual(t, len(b.TransferIDs), 3)
			require.True(t, slices.IsSortedFunc(b.TransferIDs, ledger.CompareIDs))
			for _, id := range b.TransferIDs {
				prior, dup := seen[id]
				require.False(t, dup, "transfer %s in batches %s and %s", id, prior, b.ID)
				seen[id] = b.ID
				tr, err := f2.clr.Transfer(f.Ctx, id)
				require.NoError(t, err)
				require.Equal(t, b.ID, tr.BatchID)
			}
			total.Amount = total.Amount.Add(b.Total.Amount)
		}
		require.Len(t, seen, transfers)
		require.True(t, total.Equal(want), "batches total %s, transfers %s", total, want)
		require.Len(t, f2.net.messages(), len(batches))
	}},
}

// newFixtureOver is a second clearing Service, with other options, over
// the same backend and ledger Service as f.
func newFixtureOver(t *testing.T, f *fixture, opts ...clearing.Option) *fixture {
	t.Helper()
	g := *f
	g.net = &fakeNetwork{}
	g.clr = f.newService(g.net, opts...)
	return &g
}

// assertNoError reports err as a test failure without stopping the
// goroutine's test (require must not be used off the test goroutine).
func assertNoError(t *testing.T, err error) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}
