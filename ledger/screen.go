package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// ErrScreeningRefused: transaction screening (the Screener) refused the
// movement; nothing was posted. The error names the reason.
var ErrScreeningRefused = fault.New(fault.Unprocessable, "screening-refused", "ledger: refused by transaction screening")

// ScreenedMovement is what the ledger asks its Screener about: a deposit,
// withdrawal or transfer about to post, with the id its entry will have.
type ScreenedMovement struct {
	EntryID ID
	Kind    EntryKind
	// From is debited and To credited (vault cash for cash movements).
	From, To ID
	Amount   money.Money
	// IdempotencyKey is the entry's scoped key ("transfer/<caller's
	// key>"), empty without one: a retried request has the same.
	IdempotencyKey string
	BookedAt       time.Time
	ValueDate      calendar.Date
}

// Verdict is a Screener's answer.
type Verdict struct {
	// Refuse: the movement must not post.
	Refuse bool
	// Reason says why, for the refusal's error ("block_and_review by rule
	// set v3: many_outgoing").
	Reason string
}

// Screener screens customer movements before they post: deposits,
// withdrawals and transfers (one by one and in batches). Entries the bank
// posts for itself (journal entries, interest, reversals, captures of
// holds) are not screened. An error from Screen refuses the movement too
// (fail closed) and is returned as it is.
type Screener interface {
	Screen(ctx context.Context, m ScreenedMovement) (Verdict, error)
}

// WithScreener sets the Screener every deposit, withdrawal and transfer
// passes before it posts (default: none).
func WithScreener(sc Screener) Option {
	return func(s *Service) error {
		s.screener = sc
		return nil
	}
}

// screen asks the screener, if any, about the movement of entry e.
func (s *Service) screen(ctx context.Context, m movement, e Entry) error {
	if s.screener == nil {
		return nil
	}
	v, err := s.screener.Screen(ctx, ScreenedMovement{EntryID: e.ID, Kind: e.Kind, From: m.from, To: m.to, Amount: m.amount,
		IdempotencyKey: e.IdempotencyKey, BookedAt: e.BookedAt, ValueDate: e.ValueDate})
	if err != nil {
		return err
	}
	if v.Refuse {
		return fmt.Errorf("%w: %s", ErrScreeningRefused, v.Reason)
	}
	return nil
}
