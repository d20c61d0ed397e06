package oprisk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/text"
)

// Service is operational risk over a Store.
type Service struct {
	store     Store
	clock     calendar.Clock
	policies  map[string]Policy
	duties    []Duty
	self      []SelfDuty
	protected []string
	watch     Watch
	ttl       time.Duration

	mu       sync.Mutex
	cached   *Catalogue
	cachedAt time.Time
	raised   map[string]struct{} // alert keys stored already
}

// Option configures a Service.
type Option func(*Service) error

// WithClock sets the clock that stamps requests, decisions and records.
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithPolicies sets the maker-checker policies, at most one per
// permission.
func WithPolicies(ps ...Policy) Option {
	return func(s *Service) error {
		for i, p := range ps {
			field := fmt.Sprintf("policies[%d]", i)
			if err := p.validate(field); err != nil {
				return err
			}
			if _, dup := s.policies[p.Permission]; dup {
				return invalid(field+".permission", "%s has a policy already", p.Permission)
			}
			s.policies[p.Permission] = p
		}
		return nil
	}
}

// WithDuties sets the segregation-of-duties rules.
func WithDuties(ds ...Duty) Option {
	return func(s *Service) error {
		for i, d := range ds {
			field := fmt.Sprintf("duties[%d]", i)
			if err := CheckPermissionName(field+".first", d.First); err != nil {
				return err
			}
			if err := CheckPermissionName(field+".second", d.Second); err != nil {
				return err
			}
		}
		s.duties = append(s.duties, ds...)
		return nil
	}
}

// WithSelfDuties forbids permissions on an object that is the actor.
func WithSelfDuties(ds ...SelfDuty) Option {
	return func(s *Service) error {
		for i, d := range ds {
			if err := CheckPermissionName(fmt.Sprintf("self_duties[%d].permission", i), d.Permission); err != nil {
				return err
			}
		}
		s.self = append(s.self, ds...)
		return nil
	}
}

// WithProtected names permissions some role must always hold (the one
// that changes grants), so no change of grants can lock everyone out.
func WithProtected(permissions ...string) Option {
	return func(s *Service) error {
		for i, p := range permissions {
			if err := CheckPermissionName(fmt.Sprintf("protected[%d]", i), p); err != nil {
				return err
			}
		}
		s.protected = append(s.protected, permissions...)
		return nil
	}
}

// WithWatch sets the staff-behaviour checks (DefaultWatch otherwise).
func WithWatch(w Watch) Option {
	return func(s *Service) error {
		if w.PIIReveals < 0 || w.TeamApprovals < 0 || w.DayStart < 0 || w.DayStart > 23 || w.DayEnd < 0 || w.DayEnd > 24 ||
			(w.DayEnd != 0 && w.DayEnd <= w.DayStart) {
			return invalid("watch", "thresholds must not be negative and working hours must be 0 <= start < end <= 24")
		}
		s.watch = w
		return nil
	}
}

// WithCacheTTL sets how long a catalogue read is trusted before Allowed
// reads it again (1s by default). A change made through this Service is
// seen at once; one made by another process within the TTL.
func WithCacheTTL(d time.Duration) Option {
	return func(s *Service) error {
		if d < 0 {
			return invalid("cache_ttl", "must not be negative")
		}
		s.ttl = d
		return nil
	}
}

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	s := &Service{store: store, clock: calendar.SystemClock{}, policies: map[string]Policy{}, watch: DefaultWatch(), ttl: time.Second,
		raised: map[string]struct{}{}}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// EnsurePermissions registers the permissions a server enforces (see
// Store.EnsurePermissions). Names must be unique.
func (s *Service) EnsurePermissions(ctx context.Context, defaults []Default) error {
	seen := map[string]bool{}
	for i, d := range defaults {
		if err := d.validate(i); err != nil {
			return err
		}
		if seen[d.Name] {
			return invalid(fmt.Sprintf("permissions[%d].name", i), "%s is declared twice", d.Name)
		}
		seen[d.Name] = true
	}
	if err := s.store.EnsurePermissions(ctx, defaults); err != nil {
		return err
	}
	s.forget()
	return nil
}

// Catalogue reads the catalogue from the store.
func (s *Service) Catalogue(ctx context.Context) (Catalogue, error) {
	c, err := s.store.Catalogue(ctx)
	if err == nil {
		s.remember(c)
	}
	return c, err
}

// Allowed reports whether any of roles holds permission, from a catalogue
// at most the cache TTL old.
func (s *Service) Allowed(ctx context.Context, roles []string, permission string) (bool, error) {
	s.mu.Lock()
	c, fresh := s.cached, s.cached != nil && time.Since(s.cachedAt) < s.ttl
	s.mu.Unlock()
	if !fresh {
		read, err := s.Catalogue(ctx)
		if err != nil {
			return false, err
		}
		c = &read
	}
	return c.Holds(roles, permission), nil
}

func (s *Service) remember(c Catalogue) {
	s.mu.Lock()
	s.cached, s.cachedAt = &c, time.Now()
	s.mu.Unlock()
}

func (s *Service) forget() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// SetGrants replaces the permissions role holds. A protected permission
// that no role would hold afterwards is ErrLastHolder.
func (s *Service) SetGrants(ctx context.Context, role string, permissions []string) (Catalogue, error) {
	if err := CheckRoleName("role", role); err != nil {
		return Catalogue{}, err
	}
	for i, p := range permissions {
		if err := CheckPermissionName(fmt.Sprintf("permissions[%d]", i), p); err != nil {
			return Catalogue{}, err
		}
	}
	c, err := s.store.SetGrants(ctx, role, normalize(permissions), func(c Catalogue) error {
		for _, p := range s.protected {
			if c.Known(p) && len(c.RolesHolding(p)) == 0 {
				return fmt.Errorf("%w: %s", ErrLastHolder, p)
			}
		}
		return nil
	})
	if err != nil {
		return Catalogue{}, err
	}
	s.remember(c)
	return c, nil
}

// Policy returns the maker-checker policy of permission, if it has one.
func (s *Service) Policy(permission string) (Policy, bool) {
	p, ok := s.policies[permission]
	return p, ok
}

// Policies returns every maker-checker policy, by permission.
func (s *Service) Policies() []Policy {
	out := make([]Policy, 0, len(s.policies))
	for _, p := range s.policies {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Policy) int { return strings.Compare(a.Permission, b.Permission) })
	return out
}

// Duties returns the segregation-of-duties rules.
func (s *Service) Duties() ([]Duty, []SelfDuty) { return slices.Clone(s.duties), slices.Clone(s.self) }

// CheckDuties returns ErrSegregation when a rule forbids actorID the
// permission on object: it performed the rule's first permission on it,
// or the object is the actor itself.
func (s *Service) CheckDuties(ctx context.Context, actorID, permission, object string) error {
	if object == "" {
		return nil
	}
	for _, d := range s.self {
		if d.Permission == permission && object == actorID {
			return fmt.Errorf("%w: %s — not on yourself", ErrSegregation, d.Name)
		}
	}
	for _, d := range s.duties {
		if d.Second != permission {
			continue
		}
		done, err := s.store.Performed(ctx, actorID, d.First, object)
		if err != nil {
			return err
		}
		if done {
			return fmt.Errorf("%w: %s — you did %s on this object, so another person must do %s", ErrSegregation, d.Name, d.First, d.Second)
		}
	}
	return nil
}

// Hold stores r as a request pending a checker and returns it with its id,
// time and status.
func (s *Service) Hold(ctx context.Context, r Request) (Request, error) {
	if err := r.validate(); err != nil {
		return Request{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Request{}, err
	}
	r.ID, r.MadeAt, r.Status = id, s.now(), StatusPending
	r.Checker, r.CheckedAt, r.Note, r.Outcome = nil, time.Time{}, "", nil
	r.Maker.Roles = normalize(r.Maker.Roles)
	if err := s.store.CreateRequest(ctx, r); err != nil {
		return Request{}, err
	}
	return r, nil
}

func checkNote(note string) error {
	if err := text.Line(ErrInvalidInput, "note", note); err != nil {
		return err
	}
	if len(note) > 1000 {
		return invalid("note", "at most 1000 bytes")
	}
	return nil
}

// Approve records checker's approval of a pending request and returns it,
// to be run and then Completed. The maker may not approve their own
// request (ErrSegregation); a decided request is ErrNotPending — except an
// approved one whose outcome was never recorded (the run was cut short),
// which its checker may approve again to run it again. The returned alert
// is non-nil when the approval raised a team-approvals alert.
func (s *Service) Approve(ctx context.Context, id uuid.UUID, checker Actor, note string) (Request, *Alert, error) {
	if err := checker.validate("checker"); err != nil {
		return Request{}, nil, err
	}
	if err := checkNote(note); err != nil {
		return Request{}, nil, err
	}
	checker.Roles = normalize(checker.Roles)
	now := s.now()
	r, err := s.store.UpdateRequest(ctx, id, func(r Request) (Request, error) {
		if r.Maker.ID == checker.ID {
			return r, fmt.Errorf("%w: the maker of a request may not approve it", ErrSegregation)
		}
		switch {
		case r.Status == StatusApproved && r.Outcome == nil && r.Checker != nil && r.Checker.ID == checker.ID:
			return r, nil // run again: the run is idempotent under the request's id
		case r.Status != StatusPending:
			return r, fmt.Errorf("%w: it is %s", ErrNotPending, r.Status)
		}
		r.Status, r.Checker, r.CheckedAt, r.Note = StatusApproved, &checker, now, note
		return r, nil
	})
	if err != nil {
		return Request{}, nil, err
	}
	alert, err := s.watchApprovals(ctx, r, now)
	return r, alert, err
}

// Reject records checker's rejection of a pending request.
func (s *Service) Reject(ctx context.Context, id uuid.UUID, checker Actor, note string) (Request, error) {
	if err := checker.validate("checker"); err != nil {
		return Request{}, err
	}
	if err := checkNote(note); err != nil {
		return Request{}, err
	}
	checker.Roles = normalize(checker.Roles)
	now := s.now()
	return s.store.UpdateRequest(ctx, id, func(r Request) (Request, error) {
		if r.Maker.ID == checker.ID {
			return r, fmt.Errorf("%w: the maker of a request may not decide it; a maker withdraws nothing here, a checker rejects", ErrSegregation)
		}
		if r.Status != StatusPending {
			return r, fmt.Errorf("%w: it is %s", ErrNotPending, r.Status)
		}
		r.Status, r.Checker, r.CheckedAt, r.Note = StatusRejected, &checker, now, note
		return r, nil
	})
}

// Complete records the outcome of running an approved request. The first
// outcome stands: completing a done request returns it unchanged.
func (s *Service) Complete(ctx context.Context, id uuid.UUID, status int, body []byte) (Request, error) {
	if status < 100 || status > 599 {
		return Request{}, invalid("status", "must be an HTTP status")
	}
	now := s.now()
	return s.store.UpdateRequest(ctx, id, func(r Request) (Request, error) {
		switch r.Status {
		case StatusDone:
			return r, nil
		case StatusApproved:
		default:
			return r, fmt.Errorf("%w: it is %s, not approved", ErrNotPending, r.Status)
		}
		r.Status, r.Outcome = StatusDone, &Outcome{Status: status, Body: slices.Clone(body), At: now}
		return r, nil
	})
}

// Request returns one held request.
func (s *Service) Request(ctx context.Context, id uuid.UUID) (Request, error) {
	return s.store.Request(ctx, id)
}

// Requests lists held requests.
func (s *Service) Requests(ctx context.Context, f Filter) ([]Request, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, invalid("status", "must be pending, approved, done or rejected")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		return nil, invalid("limit", "must be 1–500")
	}
	return s.store.Requests(ctx, f)
}

// Append adds r to the audit trail, stamped now unless r.At is set, and
// runs the staff-behaviour checks over it; it returns the record as
// chained and the alerts it raised.
func (s *Service) Append(ctx context.Context, r Record) (Record, []Alert, error) {
	if err := r.validate(); err != nil {
		return Record{}, nil, err
	}
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.At = r.At.UTC().Truncate(time.Microsecond)
	r.Roles = normalize(r.Roles)
	rec, err := s.store.Append(ctx, r)
	if err != nil {
		return Record{}, nil, err
	}
	alerts, err := s.watchRecord(ctx, rec)
	return rec, alerts, err
}

// Records lists audit records.
func (s *Service) Records(ctx context.Context, f AuditFilter) ([]Record, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		return nil, invalid("limit", "must be 1–1000")
	}
	if f.After < 0 {
		return nil, invalid("after", "must not be negative")
	}
	return s.store.Records(ctx, f)
}

// verifyPage is how many records Verify reads at a time.
const verifyPage = 1000

// Verify walks the whole trail up to the head the store reports when the
// walk starts, recomputing every hash and link.
func (s *Service) Verify(ctx context.Context) (Verification, error) {
	headSeq, headHash, err := s.store.Head(ctx)
	if err != nil {
		return Verification{}, err
	}
	var w Verifier
	after := int64(0)
	for {
		page, err := s.store.Records(ctx, AuditFilter{After: after, Limit: verifyPage})
		if err != nil {
			return Verification{}, err
		}
		for _, r := range page {
			if r.Seq > headSeq {
				return w.Done(headSeq, headHash), nil // appended after the walk began
			}
			if !w.Next(r) {
				return w.Done(headSeq, headHash), nil
			}
		}
		if len(page) < verifyPage {
			return w.Done(headSeq, headHash), nil
		}
		after = page[len(page)-1].Seq
	}
}

// Alerts lists staff-behaviour alerts.
func (s *Service) Alerts(ctx context.Context, after uuid.UUID, limit int) ([]Alert, error) {
	if limit <= 0 || limit > 500 {
		return nil, invalid("limit", "must be 1–500")
	}
	return s.store.Alerts(ctx, after, limit)
}

// raisedMax bounds the alert keys a Service remembers having stored.
const raisedMax = 10000

func (s *Service) raise(ctx context.Context, a Alert) (*Alert, error) {
	// An alert is raised once per actor, kind and window: this process
	// asks the store only the first time it meets a key.
	key := a.Key()
	s.mu.Lock()
	_, seen := s.raised[key]
	s.mu.Unlock()
	if seen {
		return nil, nil
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	a.ID, a.At = id, s.now()
	ok, err := s.store.RaiseAlert(ctx, a)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.raised) >= raisedMax {
		clear(s.raised)
	}
	s.raised[key] = struct{}{}
	s.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return &a, nil
}

// watchRecord runs the per-record checks: PII reveals in the hour, and
// activity outside working hours.
func (s *Service) watchRecord(ctx context.Context, r Record) ([]Alert, error) {
	var out []Alert
	var errs []error
	if s.watch.PIIReveals > 0 && r.PII {
		since := r.At.Add(-time.Hour)
		n, err := s.store.CountPII(ctx, r.ActorID, since)
		if err == nil && n > s.watch.PIIReveals {
			var a *Alert
			a, err = s.raise(ctx, Alert{Kind: AlertPIIReveals, ActorID: r.ActorID, Actor: r.Actor, Window: r.At.Truncate(time.Hour),
				Count: n, Seq: r.Seq, Detail: fmt.Sprintf("%d full-PII reads in the hour to %s (more than %d)", n, r.At.Format(time.RFC3339), s.watch.PIIReveals)})
			if a != nil {
				out = append(out, *a)
			}
		}
		errs = append(errs, err)
	}
	if s.watch.outsideHours(r.At) {
		a, err := s.raise(ctx, Alert{Kind: AlertOutsideHours, ActorID: r.ActorID, Actor: r.Actor, Window: s.watch.day(r.At),
			Count: 1, Seq: r.Seq, Detail: fmt.Sprintf("%s %s at %s, outside working hours", r.Method, r.Path, r.At.Format(time.RFC3339))})
		if a != nil {
			out = append(out, *a)
		}
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}

// watchApprovals raises team-approvals when checker's approvals of their
// own team's requests in the hour pass the threshold.
func (s *Service) watchApprovals(ctx context.Context, r Request, now time.Time) (*Alert, error) {
	if s.watch.TeamApprovals <= 0 || r.Checker == nil || !r.Checker.sharesRole(r.Maker) {
		return nil, nil
	}
	n, err := s.store.CountApprovals(ctx, r.Checker.ID, r.Checker.Roles, now.Add(-time.Hour))
	if err != nil || n <= s.watch.TeamApprovals {
		return nil, err
	}
	return s.raise(ctx, Alert{Kind: AlertTeamApprovals, ActorID: r.Checker.ID, Actor: r.Checker.Username, Window: now.Truncate(time.Hour),
		Count: n, Detail: fmt.Sprintf("%d approvals of requests by makers sharing a role, in the hour to %s (more than %d)", n, now.Format(time.RFC3339), s.watch.TeamApprovals)})
}
