package customer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
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
// the chain is intact. Entries removed from the end cannot be seen from the
// log alone: use VerifyAccessLogTo with a checkpoint kept elsewhere.
func (s *Service) VerifyAccessLog(ctx context.Context) (int64, error) {
	_, err := s.walkAccessLog(ctx)
	var bad *brokenChain
	if errors.As(err, &bad) {
		return bad.seq, err
	}
	return 0, err
}

// VerifyAccessLogTo is VerifyAccessLog that also checks a checkpoint: the
// Seq and Hash of an entry recorded earlier somewhere the database's
// administrators cannot write. If that entry is gone (the log was cut
// short) or different, it returns checkpointSeq and ErrTampered.
func (s *Service) VerifyAccessLogTo(ctx context.Context, checkpointSeq int64, checkpointHash []byte) (int64, error) {
	if checkpointSeq < 1 {
		return 0, invalid("checkpoint_seq", "must be the seq of a logged entry")
	}
	if len(checkpointHash) != len(GenesisHash) {
		return 0, invalid("checkpoint_hash", "must be a %d-byte hash", len(GenesisHash))
	}
	hashes, err := s.walkAccessLog(ctx, checkpointSeq)
	var bad *brokenChain
	if errors.As(err, &bad) {
		return bad.seq, err
	}
	if err != nil {
		return 0, err
	}
	got, ok := hashes[checkpointSeq]
	switch {
	case !ok:
		return checkpointSeq, fmt.Errorf("%w: entry %d and any after it are missing", ErrTampered, checkpointSeq)
	case !bytes.Equal(got, checkpointHash):
		return checkpointSeq, fmt.Errorf("%w: entry %d differs from the checkpoint", ErrTampered, checkpointSeq)
	}
	return 0, nil
}

// brokenChain is the error of a failed walk: the first bad seq and why.
type brokenChain struct {
	seq    int64
	reason string
}

func (b *brokenChain) Error() string { return fmt.Sprintf("%v: %s", ErrTampered, b.reason) }
func (b *brokenChain) Unwrap() error { return ErrTampered }

// walkAccessLog checks the chain from the first entry to the last and
// returns the hashes of the entries whose seqs are in keep.
func (s *Service) walkAccessLog(ctx context.Context, keep ...int64) (map[int64][]byte, error) {
	kept := map[int64][]byte{}
	prev := GenesisHash
	var want int64 = 1
	for {
		page, err := s.store.AccessLog(ctx, want-1, MaxPageLimit)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			switch {
			case e.Seq != want:
				return nil, &brokenChain{want, fmt.Sprintf("entry %d is missing (found %d)", want, e.Seq)}
			case !bytes.Equal(e.PrevHash, prev):
				return nil, &brokenChain{e.Seq, fmt.Sprintf("entry %d does not follow entry %d", e.Seq, e.Seq-1)}
			case !bytes.Equal(ChainHash(e), e.Hash):
				return nil, &brokenChain{e.Seq, fmt.Sprintf("entry %d was altered", e.Seq)}
			}
			if slices.Contains(keep, e.Seq) {
				kept[e.Seq] = e.Hash
			}
			prev, want = e.Hash, want+1
		}
		if len(page) < MaxPageLimit {
			return kept, nil
		}
	}
}
