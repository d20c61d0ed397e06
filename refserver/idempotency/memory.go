package idempotency

import (
	"context"
	"sync"
	"time"
)

// Memory is an in-memory Store, safe for concurrent use. Its records are
// lost when the process ends.
type Memory struct {
	mu      sync.Mutex
	records map[string]*record
}

type record struct {
	fp         Fingerprint
	createdAt  time.Time
	leaseUntil time.Time
	resp       *Response
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{records: map[string]*record{}} }

// Begin implements Store.
func (m *Memory) Begin(_ context.Context, key string, fp Fingerprint, now time.Time, lease time.Duration) (*Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[key]
	switch {
	case !ok:
		m.records[key] = &record{fp: fp, createdAt: now, leaseUntil: now.Add(lease)}
		return nil, nil
	case r.fp != fp:
		return nil, ErrMismatch
	case r.resp != nil:
		resp := *r.resp
		return &resp, nil
	case now.Before(r.leaseUntil):
		return nil, ErrInFlight
	default:
		r.leaseUntil = now.Add(lease)
		return nil, nil
	}
}

// Complete implements Store.
func (m *Memory) Complete(_ context.Context, key string, resp Response, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.records[key]; ok {
		r.resp = &resp
	}
	return nil
}

// CompleteIdempotent implements Store; in memory it is Complete.
func (m *Memory) CompleteIdempotent(ctx context.Context, key string, resp Response, now time.Time) error {
	return m.Complete(ctx, key, resp, now)
}

// Abandon implements Store.
func (m *Memory) Abandon(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.records[key]; ok && r.resp == nil {
		delete(m.records, key)
	}
	return nil
}

// Purge implements Store.
func (m *Memory) Purge(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, r := range m.records {
		if r.createdAt.Before(before) {
			delete(m.records, k)
			n++
		}
	}
	return n, nil
}
