package customer

import (
	"bytes"
	"context"
	"fmt"
)

// Reveal returns the customer with the named fields in full, for actor
// (a staff id) and reason, after the RevealPolicy allows it. The read and
// its access-log entry are one store operation: a read that cannot be
// logged does not happen. Fields not named stay zero in the result; the
// documents are returned only for FieldDocuments.
func (s *Service) Reveal(ctx context.Context, actor string, id ID, fields []Field, reason string) (Customer, []Document, error) {
	if err := validateLine("actor", actor, maxShortRunes, true); err != nil {
		return Customer{}, nil, err
	}
	if err := checkID("id", id); err != nil {
		return Customer{}, nil, err
	}
	fields, err := canonicalFields(fields)
	if err != nil {
		return Customer{}, nil, err
	}
	if err := validateLine("reason", reason, maxReasonRunes, true); err != nil {
		return Customer{}, nil, err
	}
	if s.reveal != nil {
		if err := s.reveal(ctx, actor, id, fields, reason); err != nil {
			return Customer{}, nil, fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	entry := AccessEntry{At: s.now(), Actor: actor, CustomerID: id, Fields: fields, Reason: reason}
	wantDocs := fields[len(fields)-1] == FieldDocuments
	r, docs, _, err := s.store.Reveal(ctx, entry, wantDocs)
	if err != nil {
		return Customer{}, nil, err
	}
	c, err := s.fromRecord(r, fields...)
	if err != nil {
		return Customer{}, nil, err
	}
	if !wantDocs {
		return c, nil, nil
	}
	ds, err := s.documents(docs, true)
	if err != nil {
		return Customer{}, nil, err
	}
	return c, ds, nil
}

// AccessLog returns up to limit access-log entries after seq after.
func (s *Service) AccessLog(ctx context.Context, after int64, limit int) ([]AccessEntry, error) {
	if after < 0 {
		return nil, invalid("after", "must not be negative")
	}
	if limit < 1 || limit > MaxPageLimit {
		return nil, invalid("limit", "must be 1-%d", MaxPageLimit)
	}
	return s.store.AccessLog(ctx, after, limit)
}

// VerifyAccessLog walks the whole access log and checks its hash chain.
// It returns the Seq of the first entry that was altered, inserted,
// removed or reordered, with an error wrapping ErrTampered; (0, nil) when
// the chain is intact. Removing entries from the end cannot be seen from
// the log alone: keep the latest Hash elsewhere to detect that.
func (s *Service) VerifyAccessLog(ctx context.Context) (int64, error) {
	prev := GenesisHash
	var want int64 = 1
	for {
		page, err := s.store.AccessLog(ctx, want-1, MaxPageLimit)
		if err != nil {
			return 0, err
		}
		for _, e := range page {
			switch {
			case e.Seq != want:
				return want, fmt.Errorf("%w: entry %d is missing (found %d)", ErrTampered, want, e.Seq)
			case !bytes.Equal(e.PrevHash, prev):
				return e.Seq, fmt.Errorf("%w: entry %d does not follow entry %d", ErrTampered, e.Seq, e.Seq-1)
			case !bytes.Equal(ChainHash(e), e.Hash):
				return e.Seq, fmt.Errorf("%w: entry %d was altered", ErrTampered, e.Seq)
			}
			prev, want = e.Hash, want+1
		}
		if len(page) < MaxPageLimit {
			return 0, nil
		}
	}
}
