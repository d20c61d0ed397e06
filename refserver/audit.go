package refserver

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/risk/oprisk"
)

// The staff audit trail: every request a member of staff makes — read or
// write, allowed or refused — is appended to the oprisk trail once it has
// been answered, with who (identity, username, roles), what (the route's
// permission, method and path; never the query string, which may carry
// personal data), which object, the status answered, the request id and
// the client's address. A customer-data reveal is marked PII; the customer
// subsystem's own PII access log records the same read (actor, customer,
// fields, time) and is joined to this record by the request id the
// response and both logs carry.

type auditNoteKey struct{}

// auditNote is what a handler adds to its request's audit record.
type auditNote struct {
	mu     sync.Mutex
	detail []string
	object string
}

// noteAudit adds detail to the audit record of ctx's request.
func noteAudit(ctx context.Context, detail string) {
	if n, ok := ctx.Value(auditNoteKey{}).(*auditNote); ok {
		n.mu.Lock()
		n.detail = append(n.detail, detail)
		n.mu.Unlock()
	}
}

// noteObject names the object of ctx's request where its path does not.
func noteObject(ctx context.Context, object string) {
	if n, ok := ctx.Value(auditNoteKey{}).(*auditNote); ok {
		n.mu.Lock()
		n.object = object
		n.mu.Unlock()
	}
}

// auditWriter records the status a request was answered with and, for a
// create, the start of the body (where the new object's id is).
type auditWriter struct {
	http.ResponseWriter
	status  int
	capture bool
	body    []byte
}

const auditBodyCapture = 4096

func (w *auditWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.capture && len(w.body) < auditBodyCapture {
		w.body = append(w.body, b[:min(len(b), auditBodyCapture-len(w.body))]...)
	}
	return w.ResponseWriter.Write(b)
}

func (w *auditWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// createdID is the "id" of a JSON object body, or "".
func createdID(body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.ID
}

// clip bounds a value kept in the trail.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// audit prepares the audit record of a staff request: it returns the
// context and writer the request goes on with, and the function that
// appends the record once the request is answered.
func (s *Server) audit(ctx context.Context, w http.ResponseWriter, r *http.Request, rt route, p channel.Principal) (context.Context, http.ResponseWriter, func()) {
	note := &auditNote{}
	ctx = context.WithValue(ctx, auditNoteKey{}, note)
	object := objectOf(r, rt)
	aw := &auditWriter{ResponseWriter: w, capture: object == "" && r.Method != http.MethodGet}
	return ctx, aw, func() {
		status := aw.status
		if status == 0 {
			status = http.StatusInternalServerError // the handler gave no answer
		}
		note.mu.Lock()
		if note.object != "" {
			object = note.object
		}
		detail := strings.Join(note.detail, "; ")
		note.mu.Unlock()
		if object == "" && status < 300 {
			object = createdID(aw.body)
		}
		rec := oprisk.Record{ActorID: p.IdentityID.String(), Actor: p.Username, Roles: rolesOf(p), Action: rt.permission,
			Method: r.Method, Path: clip(r.URL.Path, 2000), Object: clip(object, 200), Outcome: status,
			RequestID: RequestID(ctx), Address: clip(clientAddrOf(ctx), 200), Detail: clip(detail, 2000)}
		if reveal := r.URL.Query().Get("reveal"); reveal != "" && status < 300 {
			rec.PII = true
			rec.Detail = clip(strings.TrimPrefix(rec.Detail+"; reveal "+reveal, "; "), 2000)
		}
		s.appendAudit(ctx, rec)
	}
}

// appendAudit appends rec, logging a failure (the request has been
// answered; the log line keeps what the trail could not) and any alert.
func (s *Server) appendAudit(ctx context.Context, rec oprisk.Record) {
	_, alerts, err := s.oprisk.Append(context.WithoutCancel(ctx), rec)
	if err != nil {
		s.log.ErrorContext(ctx, "audit trail append failed", "error", err, "actor", rec.ActorID, "action", rec.Action,
			"object", rec.Object, "outcome", rec.Outcome, "request_id", rec.RequestID)
	}
	for _, a := range alerts {
		s.log.WarnContext(ctx, "staff alert", "kind", a.Kind, "actor", a.Actor, "detail", a.Detail)
	}
}

// auditExecution records the run of an approved request as its maker's
// action, naming the checker.
func (s *Server) auditExecution(ctx context.Context, held oprisk.Request, a answer) {
	object := held.PathValues["id"]
	if object == "" && a.status < 300 {
		object = createdID(a.body)
	}
	checker := ""
	if held.Checker != nil {
		checker = held.Checker.Username
	}
	path, _, _ := strings.Cut(held.Path, "?")
	s.appendAudit(ctx, oprisk.Record{ActorID: held.Maker.ID, Actor: held.Maker.Username, Roles: held.Maker.Roles,
		Action: held.Permission, Method: held.Method, Path: clip(path, 2000), Object: clip(object, 200), Outcome: a.status,
		RequestID: RequestID(ctx), Address: clip(clientAddrOf(ctx), 200),
		Detail: fmt.Sprintf("held request %s (maker's request %s) approved by %s", held.ID, held.RequestID, checker)})
}

// Request and response bodies of the audit routes.
type (
	auditListRequest struct {
		After     int64     `query:"after" doc:"cursor: the seq of the last record of the previous page"`
		Limit     pageLimit `query:"limit" doc:"1-500, default 50"`
		ActorID   string    `query:"actor_id" doc:"only this staff identity's records"`
		RequestID string    `query:"request_id" doc:"only the records of this request id (as in the PII access log)"`
	}
	auditView struct {
		Seq       int64     `json:"seq"`
		At        time.Time `json:"at"`
		ActorID   string    `json:"actor_id"`
		Actor     string    `json:"actor"`
		Roles     []string  `json:"roles"`
		Action    string    `json:"action" doc:"the permission exercised"`
		Method    string    `json:"method"`
		Path      string    `json:"path"`
		Object    string    `json:"object,omitempty"`
		Outcome   int       `json:"outcome" doc:"the HTTP status answered"`
		RequestID string    `json:"request_id"`
		Address   string    `json:"address"`
		PII       bool      `json:"pii" doc:"personal data was disclosed in full"`
		Detail    string    `json:"detail,omitempty"`
		PrevHash  string    `json:"prev_hash" doc:"hex SHA-256 of the record before"`
		Hash      string    `json:"hash" doc:"hex SHA-256 over the previous hash and this record"`
	}
	verificationView struct {
		OK       bool   `json:"ok"`
		Checked  int64  `json:"checked" doc:"records read"`
		Head     int64  `json:"head" doc:"the last seq the store says it appended"`
		HeadHash string `json:"head_hash" doc:"hex hash of that record: keep it where nobody who can write the database can, and compare"`
		BrokenAt int64  `json:"broken_at,omitempty" doc:"the first record that breaks the chain"`
		Reason   string `json:"reason,omitempty"`
	}
	staffAlertView struct {
		ID      string    `json:"id"`
		Kind    string    `json:"kind" doc:"pii-reveals, outside-hours or team-approvals"`
		ActorID string    `json:"actor_id"`
		Actor   string    `json:"actor"`
		Window  time.Time `json:"window" doc:"the start of the hour (or day) the alert is about"`
		At      time.Time `json:"at"`
		Count   int       `json:"count"`
		Seq     int64     `json:"seq,omitempty" doc:"the audit record that raised it"`
		Detail  string    `json:"detail"`
	}
)

func auditViewOf(r oprisk.Record) auditView {
	return auditView{Seq: r.Seq, At: r.At, ActorID: r.ActorID, Actor: r.Actor, Roles: nonNil(r.Roles), Action: r.Action,
		Method: r.Method, Path: r.Path, Object: r.Object, Outcome: r.Outcome, RequestID: r.RequestID, Address: r.Address,
		PII: r.PII, Detail: r.Detail, PrevHash: hex.EncodeToString(r.PrevHash), Hash: hex.EncodeToString(r.Hash)}
}

func verificationOf(v oprisk.Verification) verificationView {
	return verificationView{OK: v.OK, Checked: v.Checked, Head: v.Head, HeadHash: hex.EncodeToString(v.HeadHash), BrokenAt: v.BrokenAt, Reason: v.Reason}
}

func (s *Server) auditRoutes() []route {
	return tagged("audit", []route{
		{method: "GET", pattern: "/v1/audit", summary: "The staff audit trail, oldest first",
			access: auditors, handler: handle(s.listAudit)},
		{method: "GET", pattern: "/v1/audit/verify", summary: "Walk the audit trail's hash chain: ok, or the first record that breaks it",
			access: auditors, handler: handle(s.verifyAudit)},
	})
}

func (s *Server) listAudit(ctx context.Context, req auditListRequest) (list[auditView], error) {
	if req.After < 0 {
		return list[auditView]{}, fieldErr("after", "must not be negative")
	}
	rs, err := s.oprisk.Records(ctx, oprisk.AuditFilter{After: req.After, Limit: req.Limit.n(), ActorID: req.ActorID, RequestID: req.RequestID})
	if err != nil {
		return list[auditView]{}, err
	}
	out := list[auditView]{Items: make([]auditView, 0, len(rs))}
	for _, r := range rs {
		out.Items = append(out.Items, auditViewOf(r))
	}
	if len(rs) == req.Limit.n() {
		out.Next = strconv.FormatInt(rs[len(rs)-1].Seq, 10)
	}
	return out, nil
}

func (s *Server) verifyAudit(ctx context.Context, _ none) (verificationView, error) {
	v, err := s.oprisk.Verify(ctx)
	if err != nil {
		return verificationView{}, err
	}
	return verificationOf(v), nil
}

func (s *Server) listStaffAlerts(ctx context.Context, req page) (list[staffAlertView], error) {
	as, err := s.oprisk.Alerts(ctx, uuid.UUID(req.After), req.Limit.n())
	if err != nil {
		return list[staffAlertView]{}, err
	}
	out := list[staffAlertView]{Items: make([]staffAlertView, 0, len(as))}
	for _, a := range as {
		out.Items = append(out.Items, staffAlertView{ID: a.ID.String(), Kind: string(a.Kind), ActorID: a.ActorID, Actor: a.Actor,
			Window: a.Window, At: a.At, Count: a.Count, Seq: a.Seq, Detail: a.Detail})
	}
	if len(as) == req.Limit.n() {
		out.Next = as[len(as)-1].ID.String()
	}
	return out, nil
}
