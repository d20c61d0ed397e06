package oprisk

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps the catalogue, the held requests, the audit trail and the
// alerts. Every method is safe for concurrent use; each is atomic.
type Store interface {
	// EnsurePermissions adds each permission the store does not know yet,
	// granted to its default roles; a known permission keeps its summary
	// refreshed and its grants as they are.
	EnsurePermissions(ctx context.Context, defaults []Default) error
	// Catalogue returns every permission and every role's grants.
	Catalogue(ctx context.Context) (Catalogue, error)
	// SetGrants replaces the permissions role holds, in one step, after
	// check approves the catalogue as it would then be (an error from
	// check changes nothing and is returned). Unknown permissions are
	// ErrNotFound.
	SetGrants(ctx context.Context, role string, permissions []string, check func(Catalogue) error) (Catalogue, error)

	// CreateRequest stores a held request.
	CreateRequest(ctx context.Context, r Request) error
	// Request returns one held request, or ErrNotFound.
	Request(ctx context.Context, id uuid.UUID) (Request, error)
	// UpdateRequest changes a held request with fn in one step (fn's error
	// changes nothing and is returned); ErrNotFound when there is none.
	UpdateRequest(ctx context.Context, id uuid.UUID, fn func(Request) (Request, error)) (Request, error)
	// Requests lists held requests by id (oldest first).
	Requests(ctx context.Context, f Filter) ([]Request, error)
	// CountApprovals counts the requests checker approved since t whose
	// maker shares a role with the checker's roles.
	CountApprovals(ctx context.Context, checkerID string, roles []string, since time.Time) (int, error)

	// Append links r after the trail's last record (Link) and stores it,
	// one append at a time, and returns it as stored.
	Append(ctx context.Context, r Record) (Record, error)
	// Records lists records by sequence number.
	Records(ctx context.Context, f AuditFilter) ([]Record, error)
	// Head returns the last sequence number and hash appended (0 and nil
	// when none), as the store recorded them apart from the records.
	Head(ctx context.Context) (int64, []byte, error)
	// Performed reports whether actorID performed action on object with a
	// successful outcome (a 2xx status).
	Performed(ctx context.Context, actorID, action, object string) (bool, error)
	// CountPII counts actorID's records with PII set since t.
	CountPII(ctx context.Context, actorID string, since time.Time) (int, error)

	// RaiseAlert stores a unless an alert with its Key exists; it reports
	// whether it was stored.
	RaiseAlert(ctx context.Context, a Alert) (bool, error)
	// Alerts lists alerts by id (oldest first), after an id, at most limit.
	Alerts(ctx context.Context, after uuid.UUID, limit int) ([]Alert, error)
}
