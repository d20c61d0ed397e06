package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
)

// PostEntry posts any balanced entry of two or more postings, for other
// subsystems (loan disbursements, interest, fees). Accounts are checked as
// for any posting: status, currency and balance policy.
func (s *Service) PostEntry(ctx context.Context, r JournalRequest) (Receipt, error) {
	scoped, err := scopedKey(scopeJournal, r.IdempotencyKey)
	if err != nil {
		return Receipt{}, err
	}
	today, err := s.BusinessDate(ctx)
	if err != nil {
		return Receipt{}, err
	}
	vd, err := valueDate(r.ValueDate, today)
	if err != nil {
		return Receipt{}, err
	}
	e, err := s.journalEntry(r, scoped, vd)
	if err != nil {
		return Receipt{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		fp = r.fingerprint()
	}
	return s.postOne(ctx, PostRequest{Entry: e, Fingerprint: fp})
}

// JournalBatch is journal entries a subsystem posts under idempotency keys
// of its own (see PostJournal).
type JournalBatch struct {
	// Scope prefixes every entry's IdempotencyKey: with Scope "eod" the key
	// "interest/<account>/<date>" is stored as "eod/interest/...", apart from
	// the keys of PostEntry and of every other scope. 1 to 32 lower-case
	// letters, digits and hyphens, and none of the Service's own operations
	// ("transfer", "journal", ...).
	Scope string
	// FutureValueDates lets an entry's ValueDate fall after the business
	// date. End of day needs it: interest for a period ending on a Sunday is
	// value-dated that Sunday while the business date is still the Friday,
	// so the entry counts from the right day and no earlier.
	FutureValueDates bool
	Entries          []JournalRequest
}

// PostJournal posts a batch of journal entries, each on its own as
// PostEntry posts one: result i is entry i's receipt, or the error that
// refused it (a refused entry leaves no trace). The store takes them
// MaxBatch at a time. An entry's fingerprint covers its key, value date,
// description, postings and metadata, so replaying a key returns the first
// entry and reusing it for another is ErrIdempotencyConflict. The error is
// for the batch as a whole (a bad scope, a store failure): then which
// entries posted is unknown, and posting them again with the same keys is
// safe.
func (s *Service) PostJournal(ctx context.Context, b JournalBatch) ([]BatchResult, error) {
	if err := validScope(b.Scope); err != nil {
		return nil, err
	}
	var today calendar.Date // read once, and only if an entry needs it
	results := make([]BatchResult, len(b.Entries))
	reqs := make([]PostRequest, 0, len(b.Entries))
	index := make([]int, 0, len(b.Entries)) // reqs[j] is b.Entries[index[j]]
	for i, r := range b.Entries {
		if today.IsZero() && (r.ValueDate.IsZero() || !b.FutureValueDates) {
			var err error
			if today, err = s.BusinessDate(ctx); err != nil {
				return nil, err
			}
		}
		req, err := s.scopedJournal(b, r, today)
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

// scopedJournal builds the entry of r under b's scope on the business
// date today.
func (s *Service) scopedJournal(b JournalBatch, r JournalRequest, today calendar.Date) (PostRequest, error) {
	scoped, err := scopedKey(b.Scope, r.IdempotencyKey)
	if err != nil {
		return PostRequest{}, err
	}
	vd := r.ValueDate
	switch {
	case vd.IsZero():
		vd = today
	case !b.FutureValueDates:
		if vd, err = valueDate(vd, today); err != nil {
			return PostRequest{}, err
		}
	case !vd.Valid():
		return PostRequest{}, invalid("value_date", "is not a valid date")
	}
	e, err := s.journalEntry(r, scoped, vd)
	if err != nil {
		return PostRequest{}, err
	}
	var fp Fingerprint
	if scoped != "" {
		fp = r.scopedFingerprint(b.Scope)
	}
	return PostRequest{Entry: e, Fingerprint: fp}, nil
}

// journalEntry is the entry of a journal request under the scoped key,
// value-dated vd and booked now.
func (s *Service) journalEntry(r JournalRequest, scopedKey string, vd calendar.Date) (Entry, error) {
	if err := checkReservedMeta(r.Metadata); err != nil {
		return Entry{}, err
	}
	meta := r.Metadata
	if r.Payout != nil {
		if err := r.Payout.validate(r.Postings); err != nil {
			return Entry{}, err
		}
		meta = withPayout(meta, *r.Payout)
	}
	e := Entry{
		ID:             NewID(),
		Kind:           KindJournal,
		IdempotencyKey: scopedKey,
		Postings:       slices.Clone(r.Postings),
		ValueDate:      vd,
		BookedAt:       s.clock.Now(),
		Description:    r.Description,
		Metadata:       meta,
		ExternalRef:    r.ExternalRef,
	}
	return e, e.Validate()
}

// maxScope bounds a JournalBatch scope's length.
const maxScope = 32

// validScope checks a JournalBatch scope: its form, and that it is none of
// the Service's own.
func validScope(scope string) error {
	if scope == "" || len(scope) > maxScope {
		return invalid("scope", fmt.Sprintf("must be 1 to %d characters", maxScope))
	}
	for i := 0; i < len(scope); i++ {
		c := scope[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return invalid("scope", "must be lower-case letters, digits and hyphens")
		}
	}
	if slices.Contains(serviceScopes, scope) {
		return invalid("scope", fmt.Sprintf("%q is the scope of the Service's own operation", scope))
	}
	return nil
}
