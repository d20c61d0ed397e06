package clearing

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/fieldchange"
)

// Changing any field of an outbound transfer but its key makes it another
// request, so a reused key is a conflict and not a replay of the first.
func TestEveryTransferOutFieldChangesTheFingerprint(t *testing.T) {
	base := transferOutFingerprint(fieldchange.Filled(TransferOutRequest{}))
	n := 0
	for field, changed := range fieldchange.Each(TransferOutRequest{}, "IdempotencyKey") {
		n++
		require.NotEqual(t, base, transferOutFingerprint(changed), "changing %s keeps the fingerprint", field)
	}
	require.GreaterOrEqual(t, n, 8)
}
