package ledger

import (
	"context"

	"github.com/bankkit/bankkit/calendar"
)

// HeldCapture is a capture whose caller names the held account, so that
// CaptureHolds need not read each hold before posting: the store checks,
// under the hold's lock, that the entry debits the hold's account
// (ErrHoldNotActive otherwise) and stays within the hold.
type HeldCapture struct {
	CaptureRequest
	// AccountID is the hold's account. Required, as is a non-zero Amount.
	AccountID ID
}

// CaptureHolds captures many holds in one call, which a store may do in
// one transaction a MaxBatch at a time. Each capture succeeds or fails on
// its own, as CaptureHold would: result i is capture i's receipt or error,
// and a refused capture leaves no trace. Keys and fingerprints are
// CaptureHold's, so a capture posted by either is replayed by the other.
// The error is for the batch as a whole (a store failure); then which
// captures posted is unknown, and capturing again with the same keys is
// safe.
func (s *Service) CaptureHolds(ctx context.Context, rs []HeldCapture) ([]BatchResult, error) {
	results := make([]BatchResult, len(rs))
	if len(rs) == 0 {
		return results, nil
	}
	vd, err := s.BusinessDate(ctx) // once for the batch
	if err != nil {
		return nil, err
	}
	reqs := make([]PostRequest, 0, len(rs))
	index := make([]int, 0, len(rs))
	for i, r := range rs {
		req, err := s.heldCapture(r, vd)
		if err != nil {
			results[i].Err = err
			continue
		}
		reqs = append(reqs, req)
		index = append(index, i)
	}
	if err := s.postRequests(ctx, reqs, index, results); err != nil {
		return nil, err
	}
	return results, nil
}

func (s *Service) heldCapture(r HeldCapture, vd calendar.Date) (PostRequest, error) {
	switch {
	case r.HoldID == NilID:
		return PostRequest{}, invalid("hold_id", "is required")
	case r.AccountID == NilID:
		return PostRequest{}, invalid("account_id", "is required")
	case r.ToAccountID == NilID:
		return PostRequest{}, invalid("to_account_id", "is required")
	case r.ToAccountID == r.AccountID:
		return PostRequest{}, invalid("to_account_id", "must differ from the held account")
	}
	if err := ValidateAmount("amount", r.Amount); err != nil {
		return PostRequest{}, err
	}
	scoped, err := scopedKey(scopeCapture, r.IdempotencyKey)
	if err != nil {
		return PostRequest{}, err
	}
	if err := validateText(r.Description, r.Metadata, ""); err != nil {
		return PostRequest{}, err
	}
	e := Entry{
		ID:             NewID(),
		Kind:           KindCapture,
		IdempotencyKey: scoped,
		Postings: []Posting{
			{AccountID: r.AccountID, Side: Debit, Amount: r.Amount},
			{AccountID: r.ToAccountID, Side: Credit, Amount: r.Amount},
		},
		ValueDate:   vd,
		BookedAt:    s.clock.Now(),
		Description: r.Description,
		Metadata:    r.Metadata,
		HoldID:      r.HoldID,
	}
	var fp Fingerprint
	if scoped != "" {
		fp = r.fingerprint()
	}
	return PostRequest{Entry: e, Fingerprint: fp}, nil
}
