package refserver

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// On a database, the clearing directory outlives the process: without one
// configured, every start uses the same documented folder, created when
// missing, and finds the files earlier starts left there.
func TestTheClearingDirectoryIsStableOnADatabase(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	want := filepath.Join(state, "bankkit", "clearing")
	require.NoDirExists(t, want)

	_, url := pgtest.NewWithURL(t)
	cfg := Config{Addr: "127.0.0.1:0", DatabaseURL: url, AdminToken: testAdminToken, PIIKeyring: testKeyring,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	first, err := New(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, want, first.clearingDir)
	require.DirExists(t, filepath.Join(want, "outbox"))
	left := filepath.Join(want, "outbox", "left-by-the-first-start.xml")
	require.NoError(t, os.WriteFile(left, []byte("<Document/>"), 0o600))
	require.NoError(t, first.Close())

	second, err := New(context.Background(), cfg)
	require.NoError(t, err)
	defer second.Close()
	require.Equal(t, want, second.clearingDir)
	require.FileExists(t, left)
}

func TestDefaultClearingDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/teller")
	dir, err := DefaultClearingDir()
	require.NoError(t, err)
	require.Equal(t, "/home/teller/.local/state/bankkit/clearing", dir)

	t.Setenv("XDG_STATE_HOME", "relative/state")
	dir, err = DefaultClearingDir()
	require.NoError(t, err)
	require.Equal(t, "/home/teller/.local/state/bankkit/clearing", dir, "a relative XDG_STATE_HOME is ignored, as the specification says")
}

// In memory the bank dies with the process, and so do its clearing files:
// the temporary directory is removed when the server closes.
func TestTheMemoryBankClearsItsTemporaryClearingDirectory(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	dir := b.srv.clearingDir
	require.DirExists(t, filepath.Join(dir, "outbox"))
	require.NoError(t, b.srv.Close())
	require.NoDirExists(t, dir)
}
