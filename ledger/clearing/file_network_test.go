package clearing_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

func TestFileNetworkWritesTheOutboxWholeAndOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := clearing.NewFileNetwork(dir)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, n.Send(ctx, clearing.OutboundMessage{MessageID: "B0123abc", Kind: "pacs.008", XML: []byte("<first/>")}))
	require.NoError(t, n.Send(ctx, clearing.OutboundMessage{MessageID: "B0123abc", Kind: "pacs.008", XML: []byte("<again/>")}))
	entries, err := os.ReadDir(filepath.Join(dir, "outbox"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "a resend replaces the file and leaves no temporary one")
	data, err := os.ReadFile(filepath.Join(dir, "outbox", "B0123abc.xml"))
	require.NoError(t, err)
	require.Equal(t, "<again/>", string(data))

	for _, id := range []string{"", "../escape", "a/b", "with space", "B0123456789012345678901234567890123456"} {
		err := n.Send(ctx, clearing.OutboundMessage{MessageID: id, XML: []byte("x")})
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "message id %q", id)
	}
	_, err = os.Stat(filepath.Join(dir, "escape.xml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestFileNetworkReceiveInboxStopsAtARefusedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := clearing.NewFileNetwork(dir)
	require.NoError(t, err)
	_, clr := newExampleClearing()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inbox", "001-bad.xml"), []byte("not xml"), 0o600))
	reports, err := n.ReceiveInbox(context.Background(), clr)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	require.Contains(t, err.Error(), "001-bad.xml")
	require.Empty(t, reports)
	names, err := n.Inbox()
	require.NoError(t, err)
	require.Equal(t, []string{"001-bad.xml"}, names, "a refused file stays in the inbox")
}

func TestFileNetworkReceiveInboxAppliesAndMovesFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := clearing.NewFileNetwork(dir)
	require.NoError(t, err)
	svc, clr := newExampleClearing()
	ctx := context.Background()
	bob, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "bob", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	var msg bytes.Buffer
	require.NoError(t, iso20022.WriteCreditTransfer(&msg, iso20022.CreditTransferBatch{
		Header: iso20022.GroupHeader{
			MessageID: "CH-1", CreatedAt: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), NumberOfTransactions: 1,
			TotalAmount: money.MustParse("12.34", "CNY"), SettlementDate: calendar.MustParseDate("2026-03-02"),
			SettlementMethod: iso20022.SettlementClearing,
		},
		Transactions: []iso20022.CreditTransfer{{
			EndToEndID: "E1", Amount: money.MustParse("12.34", "CNY"), ChargeBearer: iso20022.ChargesSLEV,
			Debtor: iso20022.Party{Name: "Zhang San"}, DebtorAgent: iso20022.Agent{MemberID: "0102"},
			CreditorAgent: iso20022.Agent{BIC: "BKKTCNSHXXX"}, Creditor: iso20022.Party{Name: "Bob"},
			CreditorAccount: iso20022.Account{Other: bob.Number},
		}},
	}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inbox", "001.xml"), msg.Bytes(), 0o600))
	reports, err := n.ReceiveInbox(ctx, clr)
	require.NoError(t, err)
	require.Len(t, reports, 1)
	require.Len(t, reports[0].Credited, 1)
	names, err := n.Inbox()
	require.NoError(t, err)
	require.Empty(t, names)
	_, err = os.Stat(filepath.Join(dir, "processed", "001.xml"))
	require.NoError(t, err)
	a, err := svc.Account(ctx, bob.ID)
	require.NoError(t, err)
	require.Equal(t, "12.34", a.Balance.ValueString())
}
