// Package memoprisk is the in-memory oprisk.Store: the fake for tests and
// the reference server's store when it runs without a database. One mutex
// guards everything, so every method is atomic, and appends to the audit
// trail are serialised like the PostgreSQL store's.
package memoprisk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/risk/oprisk"
)

// Store is an oprisk.Store in memory.
type Store struct {
	mu       sync.Mutex
	perms    map[string]oprisk.Permission
	grants   map[string][]string // role -> sorted permissions
	requests map[uuid.UUID]oprisk.Request
	records  []oprisk.Record
	head     oprisk.Record // the last appended, kept apart from records like pgoprisk's head row
	alerts   []oprisk.Alert
	alertKey map[string]bool
}

var _ oprisk.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{perms: map[string]oprisk.Permission{}, grants: map[string][]string{},
		requests: map[uuid.UUID]oprisk.Request{}, alertKey: map[string]bool{}}
}

func (s *Store) catalogue() oprisk.Catalogue {
	c := oprisk.Catalogue{Grants: map[string][]string{}}
	for _, p := range s.perms {
		c.Permissions = append(c.Permissions, p)
	}
	slices.SortFunc(c.Permissions, func(a, b oprisk.Permission) int { return strings.Compare(a.Name, b.Name) })
	for r, ps := range s.grants {
		if len(ps) > 0 {
			c.Grants[r] = slices.Clone(ps)
		}
	}
	return c
}

// EnsurePermissions implements oprisk.Store.
func (s *Store) EnsurePermissions(ctx context.Context, defaults []oprisk.Default) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range defaults {
		_, known := s.perms[d.Name]
		s.perms[d.Name] = d.Permission
		if known {
			continue
		}
		for _, r := range d.Roles {
			if !slices.Contains(s.grants[r], d.Name) {
				s.grants[r] = append(s.grants[r], d.Name)
				slices.Sort(s.grants[r])
			}
		}
	}
	return nil
}

// Catalogue implements oprisk.Store.
func (s *Store) Catalogue(ctx context.Context) (oprisk.Catalogue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.catalogue(), nil
}

// SetGrants implements oprisk.Store.
func (s *Store) SetGrants(ctx context.Context, role string, permissions []string, check func(oprisk.Catalogue) error) (oprisk.Catalogue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range permissions {
		if _, ok := s.perms[p]; !ok {
			return oprisk.Catalogue{}, fmt.Errorf("%w: no permission %q", oprisk.ErrNotFound, p)
		}
	}
	old := s.grants[role]
	s.grants[role] = slices.Clone(permissions)
	c := s.catalogue()
	if err := check(c); err != nil {
		s.grants[role] = old
		return oprisk.Catalogue{}, err
	}
	return c, nil
}

func cloneRequest(r oprisk.Request) oprisk.Request {
	r.PathValues = cloneMap(r.PathValues)
	r.Header = cloneMap(r.Header)
	r.Body = slices.Clone(r.Body)
	r.Maker.Roles = slices.Clone(r.Maker.Roles)
	if r.Checker != nil {
		c := *r.Checker
		c.Roles = slices.Clone(c.Roles)
		r.Checker = &c
	}
	if r.Outcome != nil {
		o := *r.Outcome
		o.Body = slices.Clone(o.Body)
		r.Outcome = &o
	}
	return r
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// CreateRequest implements oprisk.Store.
func (s *Store) CreateRequest(ctx context.Context, r oprisk.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.requests[r.ID]; dup {
		return fmt.Errorf("oprisk: request %s exists", r.ID)
	}
	s.requests[r.ID] = cloneRequest(r)
	return nil
}

// Request implements oprisk.Store.
func (s *Store) Request(ctx context.Context, id uuid.UUID) (oprisk.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return oprisk.Request{}, fmt.Errorf("%w: no held request %s", oprisk.ErrNotFound, id)
	}
	return cloneRequest(r), nil
}

// UpdateRequest implements oprisk.Store.
func (s *Store) UpdateRequest(ctx context.Context, id uuid.UUID, fn func(oprisk.Request) (oprisk.Request, error)) (oprisk.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return oprisk.Request{}, fmt.Errorf("%w: no held request %s", oprisk.ErrNotFound, id)
	}
	n, err := fn(cloneRequest(r))
	if err != nil {
		return oprisk.Request{}, err
	}
	n.ID = id
	s.requests[id] = cloneRequest(n)
	return n, nil
}

// Requests implements oprisk.Store.
func (s *Store) Requests(ctx context.Context, f oprisk.Filter) ([]oprisk.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []oprisk.Request
	for _, r := range s.requests {
		if (f.Status == "" || r.Status == f.Status) && (f.After == uuid.Nil || strings.Compare(r.ID.String(), f.After.String()) > 0) {
			out = append(out, cloneRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b oprisk.Request) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// CountApprovals implements oprisk.Store.
func (s *Store) CountApprovals(ctx context.Context, checkerID string, roles []string, since time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Checker == nil || r.Checker.ID != checkerID || r.CheckedAt.Before(since) ||
			(r.Status != oprisk.StatusApproved && r.Status != oprisk.StatusDone) {
			continue
		}
		if slices.ContainsFunc(r.Maker.Roles, func(role string) bool { return slices.Contains(roles, role) }) {
			n++
		}
	}
	return n, nil
}

func cloneRecord(r oprisk.Record) oprisk.Record {
	r.Roles = slices.Clone(r.Roles)
	r.PrevHash = slices.Clone(r.PrevHash)
	r.Hash = slices.Clone(r.Hash)
	return r
}

// Append implements oprisk.Store.
func (s *Store) Append(ctx context.Context, r oprisk.Record) (oprisk.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r = oprisk.Link(s.head, cloneRecord(r))
	s.records = append(s.records, r)
	s.head = r
	return cloneRecord(r), nil
}

// Records implements oprisk.Store.
func (s *Store) Records(ctx context.Context, f oprisk.AuditFilter) ([]oprisk.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.records, f.After+1, func(r oprisk.Record, seq int64) int {
		switch {
		case r.Seq < seq:
			return -1
		case r.Seq > seq:
			return 1
		}
		return 0
	})
	var out []oprisk.Record
	for _, r := range s.records[i:] {
		if len(out) == f.Limit {
			break
		}
		if (f.ActorID == "" || r.ActorID == f.ActorID) && (f.RequestID == "" || r.RequestID == f.RequestID) {
			out = append(out, cloneRecord(r))
		}
	}
	return out, nil
}

// Head implements oprisk.Store.
func (s *Store) Head(ctx context.Context) (int64, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head.Seq, slices.Clone(s.head.Hash), nil
}

// Performed implements oprisk.Store.
func (s *Store) Performed(ctx context.Context, actorID, action, object string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records {
		if r.ActorID == actorID && r.Action == action && r.Object == object && r.Outcome >= 200 && r.Outcome < 300 {
			return true, nil
		}
	}
	return false, nil
}

// CountPII implements oprisk.Store.
func (s *Store) CountPII(ctx context.Context, actorID string, since time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i := len(s.records) - 1; i >= 0 && !s.records[i].At.Before(since); i-- {
		if r := s.records[i]; r.PII && r.ActorID == actorID {
			n++
		}
	}
	return n, nil
}

// RaiseAlert implements oprisk.Store.
func (s *Store) RaiseAlert(ctx context.Context, a oprisk.Alert) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alertKey[a.Key()] {
		return false, nil
	}
	s.alertKey[a.Key()] = true
	s.alerts = append(s.alerts, a)
	return true, nil
}

// Alerts implements oprisk.Store.
func (s *Store) Alerts(ctx context.Context, after uuid.UUID, limit int) ([]oprisk.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []oprisk.Alert
	for _, a := range s.alerts {
		if after == uuid.Nil || strings.Compare(a.ID.String(), after.String()) > 0 {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b oprisk.Alert) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Tamper gives tests direct access to the trail as stored, to alter it
// the way someone with access to the memory could; fn may change, drop
// or reorder records.
func (s *Store) Tamper(fn func(records []oprisk.Record) []oprisk.Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = fn(s.records)
}
