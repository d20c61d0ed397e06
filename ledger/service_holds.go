package ledger

import (
	"context"
	"fmt"
	"time"
)

// PlaceHold reserves amount of an account's available balance (two-phase
// payments: authorise now, capture later). The account must be an active
// customer account with enough available balance.
func (s *Service) PlaceHold(ctx context.Context, r HoldRequest) (HoldReceipt, error) {
	if r.AccountID == NilID {
		return HoldReceipt{}, invalid("account_id", "is required")
	}
	if err := ValidateAmount("amount", r.Amount); err != nil {
		return HoldReceipt{}, err
	}
	key, err := scopedKey(scopeHold, r.IdempotencyKey)
	if err != nil {
		return HoldReceipt{}, err
	}
	a, err := s.store.Account(ctx, r.AccountID)
	if err != nil {
		return HoldReceipt{}, err
	}
	if a.Product == ProductInternal {
		return HoldReceipt{}, invalid("account_id", "holds are for customer accounts")
	}
	h := Hold{
		ID:             NewID(),
		AccountID:      r.AccountID,
		Amount:         r.Amount,
		Status:         HoldActive,
		ExpiresAt:      r.ExpiresAt,
		Description:    r.Description,
		IdempotencyKey: key,
		CreatedAt:      s.clock.Now(),
		ExternalRef:    r.ExternalRef,
	}
	if err := h.Validate(); err != nil {
		return HoldReceipt{}, err
	}
	var fp Fingerprint
	if key != "" {
		fp = r.fingerprint()
	}
	placed, replayed, err := s.store.PlaceHold(ctx, h, fp)
	if err != nil {
		return HoldReceipt{}, err
	}
	return HoldReceipt{Hold: placed, Replayed: replayed}, nil
}

// CaptureHold settles a hold: it posts an entry moving Amount (the whole
// hold when zero) from the held account to ToAccountID and releases the
// rest, in one step. A hold is captured at most once; a captured, released
// or expired hold is ErrHoldNotActive.
func (s *Service) CaptureHold(ctx context.Context, r CaptureRequest) (Receipt, error) {
	switch {
	case r.HoldID == NilID:
		return Receipt{}, invalid("hold_id", "is required")
	case r.ToAccountID == NilID:
		return Receipt{}, invalid("to_account_id", "is required")
	}
	scoped, err := scopedKey(scopeCapture, r.IdempotencyKey)
	if err != nil {
		return Receipt{}, err
	}
	h, err := s.store.Hold(ctx, r.HoldID)
	if err != nil {
		return Receipt{}, err
	}
	amount := r.Amount
	if r.Amount.Currency == "" && r.Amount.Amount.IsZero() {
		amount = h.Amount
	}
	if err := ValidateAmount("amount", amount); err != nil {
		return Receipt{}, err
	}
	if amount.Currency != h.Amount.Currency {
		return Receipt{}, fmt.Errorf("%w: the hold is in %s, not %s", ErrCurrencyMismatch, h.Amount.Currency, amount.Currency)
	}
	if amount.Amount.GreaterThan(h.Amount.Amount) {
		return Receipt{}, invalid("amount", fmt.Sprintf("%s exceeds the hold of %s", amount, h.Amount))
	}
	if r.ToAccountID == h.AccountID {
		return Receipt{}, invalid("to_account_id", "must differ from the held account")
	}
	if err := validateText(r.Description, r.Metadata, ""); err != nil {
		return Receipt{}, err
	}
	vd, err := s.BusinessDate(ctx)
	if err != nil {
		return Receipt{}, err
	}
	e := Entry{
		ID:             NewID(),
		Kind:           KindCapture,
		IdempotencyKey: scoped,
		Postings: []Posting{
			{AccountID: h.AccountID, Side: Debit, Amount: amount},
			{AccountID: r.ToAccountID, Side: Credit, Amount: amount},
		},
		ValueDate:   vd,
		BookedAt:    s.clock.Now(),
		Description: r.Description,
		Metadata:    r.Metadata,
		HoldID:      h.ID,
	}
	var fp Fingerprint
	if scoped != "" {
		fp = r.fingerprint()
	}
	return s.postOne(ctx, PostRequest{Entry: e, Fingerprint: fp})
}

// ReleaseHold releases an active hold, returning its amount to the
// available balance. Releasing a released hold returns it unchanged; a
// captured or expired hold is ErrHoldNotActive.
func (s *Service) ReleaseHold(ctx context.Context, id ID) (Hold, error) {
	if id == NilID {
		return Hold{}, invalid("hold_id", "is required")
	}
	return s.store.ReleaseHold(ctx, id, s.clock.Now())
}

// ExpireHolds releases every active hold whose expiry is at or before asOf
// (end of day calls it) and returns them.
func (s *Service) ExpireHolds(ctx context.Context, asOf time.Time) ([]Hold, error) {
	if asOf.IsZero() {
		return nil, invalid("as_of", "is required")
	}
	return s.store.ExpireHolds(ctx, asOf)
}

// Hold returns a hold.
func (s *Service) Hold(ctx context.Context, id ID) (Hold, error) {
	if id == NilID {
		return Hold{}, invalid("hold_id", "is required")
	}
	return s.store.Hold(ctx, id)
}

// Holds lists an account's holds, only the active ones if activeOnly.
func (s *Service) Holds(ctx context.Context, accountID ID, activeOnly bool) ([]Hold, error) {
	if accountID == NilID {
		return nil, invalid("account_id", "is required")
	}
	return s.store.Holds(ctx, accountID, activeOnly)
}
