package memcustomer

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/bankkit/bankkit/customer"
)

func cloneCheck(c customer.KeyCheck) customer.KeyCheck {
	c.Value = slices.Clone(c.Value)
	return c
}

// KeySamples implements customer.Store.
func (s *Store) KeySamples(ctx context.Context) ([]customer.KeySample, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	samples := map[string]customer.KeySample{}
	for _, id := range s.customerIDs {
		r := s.customers[id]
		if _, ok := samples[r.KeyID]; !ok {
			samples[r.KeyID] = customer.KeySample{KeyID: r.KeyID, Sealed: slices.Clone(r.Sealed.NationalID),
				Ref: customer.SealRef{CustomerID: r.ID, Field: customer.FieldNationalID}}
		}
	}
	for _, id := range s.documentIDs {
		d := s.documents[id]
		if _, ok := samples[d.KeyID]; !ok {
			ref, sealed := d.SealedValue()
			samples[d.KeyID] = customer.KeySample{KeyID: d.KeyID, Ref: ref, Sealed: slices.Clone(sealed)}
		}
	}
	return slices.SortedFunc(maps.Values(samples), func(a, b customer.KeySample) int { return cmp.Compare(a.KeyID, b.KeyID) }), nil
}

// KeyChecks implements customer.Store.
func (s *Store) KeyChecks(ctx context.Context) ([]customer.KeyCheck, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]customer.KeyCheck, 0, len(s.keyChecks))
	for _, id := range slices.Sorted(maps.Keys(s.keyChecks)) {
		out = append(out, cloneCheck(s.keyChecks[id]))
	}
	return out, nil
}

// AddKeyCheck implements customer.Store.
func (s *Store) AddKeyCheck(ctx context.Context, c customer.KeyCheck) (customer.KeyCheck, error) {
	if err := ctx.Err(); err != nil {
		return customer.KeyCheck{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.keyChecks[c.KeyID]; ok {
		return cloneCheck(old), nil
	}
	s.keyChecks[c.KeyID] = cloneCheck(c)
	return cloneCheck(c), nil
}
