package endofday

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/fieldchange"
	"github.com/bankkit/bankkit/ledger/interest"
)

// A replayed opening must find the deposit it opened, and a request that
// differs in any field but its key must not take another's deposit for its
// own. The external reference is not in the record: the deposit's
// account keeps it, and the account's opening (keyed by the same key, its
// fingerprint covering the reference) refuses a replay with another one
// before the record is read (endofdaytest TimeDepositExternalRef).
func TestEveryTimeDepositRequestFieldIsCompared(t *testing.T) {
	r := fieldchange.Filled(OpenTimeDepositRequest{})
	rec := TimeDeposit{DemandAccountID: r.DemandAccountID, ProductCode: r.ProductCode,
		Terms: interest.TimeDeposit{Principal: r.Principal, TermMonths: r.TermMonths, Instruction: r.Instruction}}
	require.True(t, r.opened(rec))
	n := 0
	for field, changed := range fieldchange.Each(OpenTimeDepositRequest{}, "IdempotencyKey", "ExternalRef", "ExternalRef.Client", "ExternalRef.Ref") {
		n++
		require.False(t, changed.opened(rec), "changing %s still finds the same deposit", field)
	}
	require.GreaterOrEqual(t, n, 6)
}
