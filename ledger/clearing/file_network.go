package clearing

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bankkit/bankkit/ledger/iso20022"
)

// FileNetwork is the built-in Network for clearing houses that
// exchange files: it writes each outbound message to Dir/outbox/<MsgId>.xml
// and reads the files the clearing house drops into Dir/inbox.
type FileNetwork struct {
	Dir string
}

// NewFileNetwork returns a FileNetwork over dir, creating its outbox and
// inbox folders.
func NewFileNetwork(dir string) (*FileNetwork, error) {
	if dir == "" {
		return nil, invalid("dir", "is required")
	}
	for _, sub := range []string{"outbox", "inbox", "processed"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, err
		}
	}
	return &FileNetwork{Dir: dir}, nil
}

// Send writes the message to outbox/<MsgId>.xml, whole or not at all
// (through a temporary file and a rename), replacing an earlier copy: a
// resend of the same message leaves one file.
func (n *FileNetwork) Send(ctx context.Context, m OutboundMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !safeFileName(m.MessageID) {
		return invalid("message_id", fmt.Sprintf("%q cannot name a file", m.MessageID))
	}
	outbox := filepath.Join(n.Dir, "outbox")
	tmp, err := os.CreateTemp(outbox, ".sending-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up a failure
	if _, err := tmp.Write(m.XML); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(outbox, m.MessageID+".xml"))
}

// safeFileName: the characters bankkit's message ids use, so no id can
// leave the folder.
func safeFileName(s string) bool {
	if s == "" || len(s) > 35 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Inbox returns the names of the files waiting in inbox, in name order.
func (n *FileNetwork) Inbox() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(n.Dir, "inbox"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// ReceiveInbox hands each file of the inbox to c.Receive, oldest name
// first, and moves each one it applied to processed. It stops at the first
// file Receive refuses, leaving it in the inbox, and returns the reports
// of the files before it with the error.
func (n *FileNetwork) ReceiveInbox(ctx context.Context, c *Service) ([]InboundReport, error) {
	names, err := n.Inbox()
	if err != nil {
		return nil, err
	}
	var reports []InboundReport
	for _, name := range names {
		path := filepath.Join(n.Dir, "inbox", name)
		data, err := readBounded(path)
		if err != nil {
			return reports, fmt.Errorf("inbox/%s: %w", name, err)
		}
		r, err := c.Receive(ctx, data)
		if err != nil {
			return reports, fmt.Errorf("inbox/%s: %w", name, err)
		}
		reports = append(reports, r)
		if err := os.Rename(path, filepath.Join(n.Dir, "processed", name)); err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// readBounded reads a file of at most iso20022.MaxMessageSize bytes; a
// larger one is refused unread, as the parsers would refuse it.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, iso20022.MaxMessageSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > iso20022.MaxMessageSize {
		return nil, invalid("message", fmt.Sprintf("is larger than %d bytes", iso20022.MaxMessageSize))
	}
	return data, nil
}
