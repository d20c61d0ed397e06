package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

func TestFileNetworkWritesTheOutboxWholeAndOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := ledger.NewFileNetwork(dir)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, n.Send(ctx, ledger.OutboundMessage{MessageID: "B0123abc", Kind: "pacs.008", XML: []byte("<first/>")}))
	require.NoError(t, n.Send(ctx, ledger.OutboundMessage{MessageID: "B0123abc", Kind: "pacs.008", XML: []byte("<again/>")}))
	entries, err := os.ReadDir(filepath.Join(dir, "outbox"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "a resend replaces the file and leaves no temporary one")
	data, err := os.ReadFile(filepath.Join(dir, "outbox", "B0123abc.xml"))
	require.NoError(t, err)
	require.Equal(t, "<again/>", string(data))

	for _, id := range []string{"", "../escape", "a/b", "with space", "B0123456789012345678901234567890123456"} {
		err := n.Send(ctx, ledger.OutboundMessage{MessageID: id, XML: []byte("x")})
		require.ErrorIs(t, err, ledger.ErrInvalidInput, "message id %q", id)
	}
	_, err = os.Stat(filepath.Join(dir, "escape.xml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestFileNetworkReceiveInboxStopsAtARefusedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, err := ledger.NewFileNetwork(dir)
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
