package credit

import (
	"context"

	"github.com/bankkit/bankkit/event"
)

// CollectionsStore is the part of Store that keeps a loan's collections
// history beside its record: the actions taken and the promises to pay
// the record no longer holds.
type CollectionsStore interface {
	// UpdateCollections applies fn to the loan atomically, as
	// UpdateLoan does, and adds the entries fn returns (an action, a
	// promise; either may be nil) to the loan's history in the same
	// operation. An error of fn is returned and nothing changes.
	// ErrNotFound; ErrDuplicate when the loan already has an action or
	// promise of the entry's number.
	UpdateCollections(ctx context.Context, id ID, fn func(Loan) (Loan, CollectionEntries, []event.Envelope, error)) (Loan, error)
	// CollectionActions lists a loan's actions with a number above
	// after, in number order, at most limit (the Service normalises it).
	CollectionActions(ctx context.Context, loanID ID, after, limit int) ([]CollectionAction, error)
	// PastPromises lists the promises added by UpdateCollections with a
	// number above after, in number order, at most limit.
	PastPromises(ctx context.Context, loanID ID, after, limit int) ([]Promise, error)
}

// NumberPage selects a slice of a list numbered from 1: items numbered
// above After, at most Limit (0: DefaultPageLimit) of them.
type NumberPage struct {
	After int
	Limit int
}

func (p NumberPage) normalize() (NumberPage, error) {
	if p.After < 0 {
		return p, invalid("after", "must not be negative")
	}
	q, err := Page{Limit: p.Limit}.normalize()
	p.Limit = q.Limit
	return p, err
}

// CollectionActions lists the actions taken on a loan, oldest first, a
// page at a time. ErrNotFound for no such loan.
func (s *Service) CollectionActions(ctx context.Context, id ID, page NumberPage) ([]CollectionAction, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Loan(ctx, id); err != nil {
		return nil, err
	}
	return s.store.CollectionActions(ctx, id, page.After, page.Limit)
}

// Promises lists the promises to pay made on a loan, oldest first, a
// page at a time: the earlier ones from the Store, the latest (and its
// state) from the loan's record. ErrNotFound for no such loan.
func (s *Service) Promises(ctx context.Context, id ID, page NumberPage) ([]Promise, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	l, err := s.store.Loan(ctx, id)
	if err != nil {
		return nil, err
	}
	out, err := s.store.PastPromises(ctx, id, page.After, page.Limit)
	if err != nil {
		return nil, err
	}
	if p := l.Collections.Promise; p != nil && p.Number > page.After && len(out) < page.Limit &&
		(len(out) == 0 || out[len(out)-1].Number < p.Number) {
		out = append(out, *p)
	}
	return out, nil
}
