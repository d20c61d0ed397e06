package ledger

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/fieldchange"
)

// Changing any field of a request but its idempotency key makes it another
// request: its fingerprint must change, or a reused key would replay the
// first request's answer for a different one. The fields are found by
// reflection, so a field added later is covered without being listed.
func TestEveryRequestFieldChangesTheFingerprint(t *testing.T) {
	vault := NewID()
	check := func(name string, fps func(yield func(field string, base, changed Fingerprint))) {
		t.Run(name, func(t *testing.T) {
			n := 0
			fps(func(field string, base, changed Fingerprint) {
				n++
				require.NotEqual(t, base, changed, "%s: changing %s keeps the fingerprint", name, field)
			})
			require.Positive(t, n)
		})
	}
	check("OpenAccountRequest", variants(OpenAccountRequest{}, OpenAccountRequest.fingerprint))
	check("DepositRequest", variants(DepositRequest{}, func(r DepositRequest) Fingerprint {
		return r.movement(scopeDeposit, KindDeposit, vault).fingerprint()
	}))
	check("WithdrawalRequest", variants(WithdrawalRequest{}, func(r WithdrawalRequest) Fingerprint {
		return DepositRequest(r).movement(scopeWithdraw, KindWithdrawal, vault).fingerprint()
	}))
	check("TransferRequest", variants(TransferRequest{}, func(r TransferRequest) Fingerprint { return r.movement().fingerprint() }))
	check("JournalRequest", variants(JournalRequest{}, JournalRequest.fingerprint))
	check("JournalRequest in a batch", variants(JournalRequest{}, func(r JournalRequest) Fingerprint { return r.scopedFingerprint("eod") },
		"IdempotencyKey")) // a batch entry's key is part of what it is
	check("ReversalRequest", variants(ReversalRequest{}, ReversalRequest.fingerprint))
	check("HoldRequest", variants(HoldRequest{}, HoldRequest.fingerprint))
	check("CaptureRequest", variants(CaptureRequest{}, CaptureRequest.fingerprint))
}

// variants yields, for each field of R but the skipped ones (the
// idempotency key unless named otherwise), the fingerprint of a filled R
// and of the same R with that field changed.
func variants[R any](zero R, fp func(R) Fingerprint, keep ...string) func(yield func(string, Fingerprint, Fingerprint)) {
	skip := []string{"IdempotencyKey"}
	if len(keep) > 0 {
		skip = nil
	}
	return func(yield func(string, Fingerprint, Fingerprint)) {
		base := fp(fieldchange.Filled(zero))
		for field, changed := range fieldchange.Each(zero, skip...) {
			yield(field, base, fp(changed))
		}
	}
}
