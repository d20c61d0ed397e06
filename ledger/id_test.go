package ledger

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewIDIsOrderedUUIDv7(t *testing.T) {
	t.Parallel()
	prev := NewID()
	for range 1000 {
		id := NewID()
		require.Equal(t, byte(0x70), id[6]&0xf0, "version 7")
		require.Equal(t, byte(0x80), id[8]&0xc0, "RFC 9562 variant")
		require.Negative(t, CompareIDs(prev, id), "later IDs sort later")
		prev = id
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	id := NewID()
	got, err := ParseID(id.String())
	require.NoError(t, err)
	require.Equal(t, id, got)
	for _, bad := range []string{"", "not-a-uuid", "urn:uuid:" + id.String(), "{" + id.String() + "}",
		id.String()[:35] + "g"} {
		_, err := ParseID(bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
	}
}
