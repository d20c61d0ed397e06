package eventtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
)

func testCursors(t *testing.T, f *fixture) {
	f.add(events(5, start)...)
	cursor := func(name string) int64 {
		t.Helper()
		seq, err := f.log.Cursor(f.ctx, name)
		require.NoError(t, err)
		return seq
	}

	_, err := f.log.Cursor(f.ctx, "risk")
	require.ErrorIs(t, err, event.ErrUnknownCursor)
	require.ErrorIs(t, f.log.Advance(f.ctx, "risk", 1), event.ErrUnknownCursor, "advancing never registers")

	require.NoError(t, f.log.Register(f.ctx, "risk"))
	require.Zero(t, cursor("risk"), "a new cursor is before every event")
	require.NoError(t, f.log.Advance(f.ctx, "risk", 3))
	require.Equal(t, int64(3), cursor("risk"))
	require.NoError(t, f.log.Register(f.ctx, "risk"))
	require.Equal(t, int64(3), cursor("risk"), "registering again keeps the position")
	require.NoError(t, f.log.Advance(f.ctx, "risk", 2))
	require.Equal(t, int64(3), cursor("risk"), "a cursor never moves back")

	require.NoError(t, f.log.Register(f.ctx, "analytics"))
	require.NoError(t, f.log.Advance(f.ctx, "analytics", 5))
	require.Equal(t, int64(3), cursor("risk"), "cursors are independent")
	require.Equal(t, int64(5), cursor("analytics"))

	require.NoError(t, f.log.Remove(f.ctx, "risk"))
	_, err = f.log.Cursor(f.ctx, "risk")
	require.ErrorIs(t, err, event.ErrUnknownCursor)
	require.NoError(t, f.log.Remove(f.ctx, "risk"), "removing twice is harmless")
	require.NoError(t, f.log.Register(f.ctx, "risk"))
	require.Zero(t, cursor("risk"), "a removed cursor comes back at the start")
	require.Equal(t, int64(5), cursor("analytics"))
}
