package eventtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
)

func testReadPagesInOrder(t *testing.T, f *fixture) {
	empty, err := f.log.Read(f.ctx, 0, 10)
	require.NoError(t, err)
	require.Empty(t, empty, "a new log is empty")

	want := events(7, start)
	f.add(want[0])
	f.add(want[1:5]...)
	f.add(want[5:]...)

	var got []event.Envelope
	for _, after := range []int64{0, 3, 6} {
		page, err := f.log.Read(f.ctx, after, 3)
		require.NoError(t, err)
		got = append(got, page...)
	}
	requireSame(t, want, got)
	require.Equal(t, span(1, 7), sequences(got), "1, 2, 3, ... in the order appended")
	require.NotEmpty(t, got[0].Source)
	for _, e := range got {
		require.Equal(t, got[0].Source, e.Source, "one source per log")
	}

	one, err := f.log.Read(f.ctx, 4, 1)
	require.NoError(t, err)
	requireSame(t, want[4:5], one)
	for _, after := range []int64{7, 100} {
		none, err := f.log.Read(f.ctx, after, 10)
		require.NoError(t, err)
		require.Empty(t, none, "nothing after the last event")
	}
}

// What Read returns belongs to the caller: changing it changes nothing
// stored.
func testReadHandsOutCopies(t *testing.T, f *fixture) {
	want := events(1, start)
	f.add(want...)
	first, err := f.log.Read(f.ctx, 0, 1)
	require.NoError(t, err)
	require.Len(t, first, 1)
	for i := range first[0].Payload {
		first[0].Payload[i] = ' '
	}
	first[0].Subjects[0][0]++
	again, err := f.log.Read(f.ctx, 0, 1)
	require.NoError(t, err)
	requireSame(t, want, again)
}
