package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/risk/oprisk"
)

// Operational risk in the reference server (docs/risk.md, "Operational
// risk"). Every route has a permission; the routes' access lists are only
// the defaults a new permission is granted with: what the server enforces
// is the catalogue the oprisk store keeps, which an administrator changes
// through PUT /v1/roles/{role}/permissions. Maker-checker holds the
// requests its policies name (Config.MakerChecker) until a second member of
// staff approves them; segregation-of-duties rules refuse the second of two
// steps to whoever did the first.

// The permissions the oprisk routes use by name.
const (
	permStaffCreate   = "staff.create"
	permStaffRolesSet = "staff.roles.set"
	permRolesSet      = "roles.permissions.set"
	permApprove       = "approvals.approve"
)

// permissionNames names the routes whose derived name reads badly.
var permissionNames = map[string]string{
	"POST /v1/auth/logout":               "auth.logout",
	"GET /v1/business-date":              "business-date.read",
	"GET /v1/reports/trial-balance":      "reports.trial-balance.read",
	"POST /v1/customers/{id}/complaints": "customers.complaints.create",
	"POST /v1/end-of-day":                "end-of-day.run",
	"POST /v1/clearing/send-due":         "clearing.send-due",
	"GET /v1/audit/verify":               "audit.verify",
}

// permissionOf is the permission a route needs: its own if it names one,
// else one derived from its path: the literal segments joined by dots, then
// what the method does — "read" (GET of one object), "list" (GET of a
// collection), "create" (POST to a collection), the action's own name (POST
// to /{id}/freeze: "accounts.freeze"), "update" (PATCH), "set" (PUT),
// "delete" (DELETE).
func permissionOf(rt route) string {
	if rt.permission != "" {
		return rt.permission
	}
	if p, ok := permissionNames[rt.muxPattern()]; ok {
		return p
	}
	var words []string
	endsInParam, actionOnObject := false, false
	for i, seg := range strings.Split(strings.Trim(rt.pattern, "/"), "/") {
		if i == 0 && seg == "v1" {
			continue
		}
		if strings.HasPrefix(seg, "{") {
			endsInParam = true
			continue
		}
		actionOnObject = endsInParam
		endsInParam = false
		words = append(words, seg)
	}
	name := strings.Join(words, ".")
	switch {
	case rt.method == http.MethodGet && endsInParam:
		return name + ".read"
	case rt.method == http.MethodGet:
		return name + ".list"
	case rt.method == http.MethodPost && actionOnObject && !endsInParam:
		return name
	case rt.method == http.MethodPost:
		return name + ".create"
	case rt.method == http.MethodPatch:
		return name + ".update"
	case rt.method == http.MethodPut:
		return name + ".set"
	}
	return name + "." + strings.ToLower(rt.method)
}

// makerCheckerAbove is the amount above which a transfer, withdrawal or
// hold capture waits for a checker, per currency of the bank.
var makerCheckerAbove = map[money.Currency]decimal.Decimal{
	money.CNY: decimal.NewFromInt(50_000),
	money.HKD: decimal.NewFromInt(50_000),
	money.USD: decimal.NewFromInt(10_000),
	money.EUR: decimal.NewFromInt(10_000),
	money.GBP: decimal.NewFromInt(10_000),
	money.JPY: decimal.NewFromInt(1_000_000),
}

// makerCheckerPolicies are the reference bank's held operations. A route
// opts in by adding its permission here (or, in an embedding program, by
// its own oprisk.WithPolicies): nothing else is needed, as the server
// keeps and replays the request itself.
func makerCheckerPolicies() []oprisk.Policy {
	bootstrap := []string{BootstrapAdmin}
	amount := func(perm string) oprisk.Policy {
		return oprisk.Policy{Permission: perm, AmountField: "amount", Above: makerCheckerAbove}
	}
	return []oprisk.Policy{
		amount("transfers.create"),
		amount("withdrawals.create"),
		amount("holds.capture"),
		{Permission: "transfers.reversal"},
		{Permission: "accounts.freeze"},
		{Permission: "accounts.unfreeze"},
		// Creating a staff user gives it roles: the one step the same person
		// may not take alone. The bootstrap administrator, who exists before
		// any checker does, is the exception.
		{Permission: permStaffCreate, Exempt: bootstrap},
		{Permission: permStaffRolesSet, Exempt: bootstrap},
		{Permission: permRolesSet, Exempt: bootstrap},
		// A rule set decides which movements are refused: publishing
		// one is a second person's decision too.
		{Permission: permRuleSetPublish},
		// A manual journal entry moves money between any accounts with
		// no customer's instruction behind it.
		{Permission: permJournalCreate},
		// The bank's limits: a new one, or a change of one's thresholds.
		{Permission: permIndicatorCreate},
		{Permission: permThresholdsSet},
	}
}

// The permissions of the risk limits' routes: POST /v1/risk/indicators
// and PUT /v1/risk/indicators/{id}/thresholds.
const (
	permIndicatorCreate = "risk.indicators.create"
	permThresholdsSet   = "risk.indicators.thresholds.set"
)

// permRuleSetPublish is the permission of POST /v1/risk/rule-sets/{id}/publish.
const permRuleSetPublish = "risk.rule-sets.publish"

// segregationDuties are the reference bank's segregation-of-duties rules
// over objects; maker and checker being different people is the
// maker-checker's own rule.
func segregationDuties() ([]oprisk.Duty, []oprisk.SelfDuty) {
	return []oprisk.Duty{
			{Name: "the same person may not create a staff user and give it a role", First: permStaffCreate, Second: permStaffRolesSet},
			{Name: "the same person may not open and close a case", First: "risk.cases.create", Second: "risk.cases.close"},
		}, []oprisk.SelfDuty{
			{Name: "no one changes their own roles", Permission: permStaffRolesSet},
		}
}

// setUpOprisk names every route's permission, registers the permissions
// with their default roles (the route table's access lists), and builds
// the service that enforces them.
func (s *Server) setUpOprisk(ctx context.Context, store oprisk.Store) error {
	duties, self := segregationDuties()
	opts := []oprisk.Option{oprisk.WithClock(s.clock), oprisk.WithDuties(duties...), oprisk.WithSelfDuties(self...),
		oprisk.WithProtected(permRolesSet)}
	if s.cfg.MakerChecker {
		opts = append(opts, oprisk.WithPolicies(makerCheckerPolicies()...))
	}
	svc, err := oprisk.NewService(store, opts...)
	if err != nil {
		return fmt.Errorf("refserver: operational risk: %w", err)
	}
	s.oprisk = svc
	s.byPermission = map[string]route{}
	var defaults []oprisk.Default
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.access.public {
			continue
		}
		rt.permission = permissionOf(*rt)
		if _, dup := s.byPermission[rt.permission]; dup {
			return fmt.Errorf("refserver: %s and %s have the same permission %s; name one (route.permission)",
				s.byPermission[rt.permission].muxPattern(), rt.muxPattern(), rt.permission)
		}
		s.byPermission[rt.permission] = *rt
		d := oprisk.Default{Permission: oprisk.Permission{Name: rt.permission, Summary: rt.summary}}
		for _, r := range rt.access.roles {
			d.Roles = append(d.Roles, string(r))
		}
		defaults = append(defaults, d)
	}
	for _, p := range svc.Policies() {
		if _, ok := s.byPermission[p.Permission]; !ok {
			return fmt.Errorf("refserver: maker-checker policy for %s, which no route has", p.Permission)
		}
	}
	if err := svc.EnsurePermissions(ctx, defaults); err != nil {
		return fmt.Errorf("refserver: permission catalogue: %w", err)
	}
	return nil
}

func rolesOf(p channel.Principal) []string {
	out := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		out[i] = string(r)
	}
	return out
}

// authorize admits p to rt: a customer where the route is open to
// customers (ownership is checked by the handler); staff when one of their
// roles holds the route's permission in the catalogue.
func (s *Server) authorize(ctx context.Context, rt route, p channel.Principal) error {
	denied := fmt.Errorf("%w: this operation is not open to your role", errForbidden)
	switch p.Kind {
	case channel.KindCustomer:
		if rt.access.customer {
			return nil
		}
		return denied
	case channel.KindStaff:
		if rt.permission == "" { // a route served outside the table (tests)
			if rt.access.allows(p) {
				return nil
			}
			return denied
		}
		ok, err := s.oprisk.Allowed(ctx, rolesOf(p), rt.permission)
		if err != nil {
			s.log.ErrorContext(ctx, "permission catalogue", "error", err)
			return fmt.Errorf("%w: the permission catalogue is unavailable; retry", errUnavailable)
		}
		if ok {
			return nil
		}
	}
	return denied
}

type approvedKey struct{}

// beforeRun applies segregation of duties and maker-checker to a staff
// request about to run: it returns the answer to give instead, and true,
// when the request is refused or held. A request being run because a
// checker approved it is neither.
func (s *Server) beforeRun(ctx context.Context, r *http.Request, rt route, body []byte) (answer, bool) {
	caller := bank.CallerOf(ctx)
	if caller.Kind != channel.KindStaff || ctx.Value(approvedKey{}) != nil {
		return answer{}, false
	}
	if err := s.oprisk.CheckDuties(ctx, caller.IdentityID.String(), rt.permission, objectOf(r, rt)); err != nil {
		return s.problemAnswer(r, err), true
	}
	policy, ok := s.oprisk.Policy(rt.permission)
	if !ok || !policy.Holds(caller.Username, body) {
		return answer{}, false
	}
	// Holding writes: only once the request's Idempotency-Key is its own
	// (a route that claims it beside its handler, see claim.go).
	if err := awaitClaim(ctx); err != nil {
		return s.problemAnswer(r, err), true
	}
	held, err := s.hold(ctx, r, rt, body)
	if err != nil {
		return s.problemAnswer(r, err), true
	}
	noteAudit(ctx, "held for a checker as request "+held.ID)
	b, err := json.Marshal(held)
	if err != nil {
		return s.problemAnswer(r, err), true
	}
	return answer{http.StatusAccepted, "application/json", append(b, '\n')}, true
}

// objectOf is the object a request names in its path: the {id}, or the
// route's only other path value.
func objectOf(r *http.Request, rt route) string {
	if id := r.PathValue("id"); id != "" {
		return id
	}
	for _, p := range rt.handler.in.params {
		if p.in == "path" {
			return r.PathValue(p.name)
		}
	}
	return ""
}

// heldAAD binds a sealed held body to its request.
func heldAAD(maker, method, path string) []byte {
	return []byte("refserver/held-request\x00" + maker + "\x00" + method + "\x00" + path)
}

// hold keeps the request for a checker: its path values and the headers
// its handler reads, and its body sealed like customer data (a held
// request may carry a password or personal data).
func (s *Server) hold(ctx context.Context, r *http.Request, rt route, body []byte) (approvalView, error) {
	caller := bank.CallerOf(ctx)
	req := oprisk.Request{Permission: rt.permission, Method: r.Method, Path: r.URL.RequestURI(),
		PathValues: map[string]string{}, Header: map[string]string{}, RequestID: RequestID(ctx),
		Maker: oprisk.Actor{ID: caller.IdentityID.String(), Username: caller.Username, Roles: rolesOf(caller)}}
	for _, p := range rt.handler.in.params {
		switch p.in {
		case "path":
			req.PathValues[p.name] = r.PathValue(p.name)
		case "header":
			if v := r.Header.Get(p.name); v != "" {
				req.Header[p.name] = v
			}
		}
	}
	sealed, err := s.heldSealer().Seal(ctx, heldAAD(req.Maker.ID, req.Method, req.Path), body)
	if err != nil {
		return approvalView{}, err
	}
	req.Body = sealed
	held, err := s.oprisk.Hold(ctx, req)
	if err != nil {
		return approvalView{}, err
	}
	return s.approvalOf(held), nil
}

func (s *Server) heldSealer() interface {
	Seal(ctx context.Context, aad, plaintext []byte) ([]byte, error)
	Open(aad, sealed []byte) ([]byte, error)
} {
	return s.customer.Sealer("refserver/held-request")
}

// execute runs an approved request as its maker asked it, under an
// idempotency key of its own, so running it again posts nothing twice.
func (s *Server) execute(ctx context.Context, held oprisk.Request) answer {
	rt, ok := s.byPermission[held.Permission]
	fail := func(err error) answer {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/", nil)
		return s.problemAnswer(r, err)
	}
	if !ok {
		return fail(fmt.Errorf("%w: no route has the permission %s any more", errConflict, held.Permission))
	}
	body, err := s.heldSealer().Open(heldAAD(held.Maker.ID, held.Method, held.Path), held.Body)
	if err != nil {
		return fail(err)
	}
	makerID, err := uuid.Parse(held.Maker.ID)
	if err != nil {
		return fail(err)
	}
	maker := channel.Principal{IdentityID: makerID, Kind: channel.KindStaff, Username: held.Maker.Username}
	for _, r := range held.Maker.Roles {
		maker.Roles = append(maker.Roles, channel.Role(r))
	}
	ctx = context.WithValue(ctx, approvedKey{}, true)
	ctx = bank.WithRequestKey(bank.WithCaller(ctx, maker), "held:"+held.ID.String())
	r, err := http.NewRequestWithContext(ctx, held.Method, held.Path, bytes.NewReader(body))
	if err != nil {
		return fail(err)
	}
	for k, v := range held.PathValues {
		r.SetPathValue(k, v)
	}
	for k, v := range held.Header {
		r.Header.Set(k, v)
	}
	return s.run(ctx, r, rt, body)
}

// Request and response bodies of the operational-risk routes.
type (
	actorView struct {
		ID       string   `json:"id"`
		Username string   `json:"username"`
		Roles    []string `json:"roles"`
	}
	outcomeView struct {
		Status int             `json:"status" doc:"the HTTP status running the request answered"`
		Body   json.RawMessage `json:"body,omitempty"`
		At     time.Time       `json:"at"`
	}
	approvalView struct {
		ID         string          `json:"id"`
		Permission string          `json:"permission"`
		Method     string          `json:"method"`
		Path       string          `json:"path"`
		Body       json.RawMessage `json:"body,omitempty" doc:"the held body; passwords shown as ****"`
		Maker      actorView       `json:"maker"`
		MadeAt     time.Time       `json:"made_at"`
		RequestID  string          `json:"request_id" doc:"the maker's X-Request-Id"`
		Status     string          `json:"status" doc:"pending, approved (running), done or rejected"`
		Checker    *actorView      `json:"checker,omitempty"`
		CheckedAt  *time.Time      `json:"checked_at,omitempty"`
		Note       string          `json:"note,omitempty"`
		Outcome    *outcomeView    `json:"outcome,omitempty"`
	}
	approvalRead struct {
		ID uuid.UUID `path:"id" json:"-"`
	}
	approvalDecision struct {
		ID   uuid.UUID `path:"id" json:"-"`
		Note string    `json:"note,omitempty"`
	}
	approvalListRequest struct {
		page
		Status string `query:"status" doc:"pending, approved, done or rejected"`
	}
	permissionView struct {
		Name         string   `json:"name"`
		Summary      string   `json:"summary"`
		Roles        []string `json:"roles" doc:"the roles holding it"`
		MakerChecker bool     `json:"maker_checker" doc:"requests (or those above an amount) wait for a checker"`
	}
	roleView struct {
		Role        string   `json:"role"`
		Permissions []string `json:"permissions"`
	}
	roleGrantsRequest struct {
		Role        string   `path:"role" json:"-"`
		Permissions []string `json:"permissions"`
	}
	staffRolesRequest struct {
		ID    uuid.UUID      `path:"id" json:"-"`
		Roles []channel.Role `json:"roles"`
	}
)

func actorOf(a oprisk.Actor) actorView {
	return actorView{ID: a.ID, Username: a.Username, Roles: nonNil(a.Roles)}
}

// redacted returns a JSON body with the value of every "password" field
// replaced, for showing a held request to its checker.
func redacted(body []byte) json.RawMessage {
	if len(body) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if strings.Contains(strings.ToLower(k), "password") {
					t[k] = "****"
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) approvalOf(r oprisk.Request) approvalView {
	v := approvalView{ID: r.ID.String(), Permission: r.Permission, Method: r.Method, Path: r.Path, Maker: actorOf(r.Maker),
		MadeAt: r.MadeAt, RequestID: r.RequestID, Status: string(r.Status), Note: r.Note}
	if body, err := s.heldSealer().Open(heldAAD(r.Maker.ID, r.Method, r.Path), r.Body); err == nil {
		v.Body = redacted(body)
	}
	if r.Checker != nil {
		c := actorOf(*r.Checker)
		at := r.CheckedAt
		v.Checker, v.CheckedAt = &c, &at
	}
	if r.Outcome != nil {
		v.Outcome = &outcomeView{Status: r.Outcome.Status, At: r.Outcome.At}
		if json.Valid(r.Outcome.Body) {
			v.Outcome.Body = r.Outcome.Body
		}
	}
	return v
}

// Who may call the operational-risk routes.
var (
	roleAdmins = staff(channel.RoleAdmin)
	// checkers see and decide held requests; each decision also needs the
	// held operation's own permission.
	checkers  = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer, channel.RoleFinance, channel.RoleLoanOfficer)
	auditors  = staff(channel.RoleAdmin, channel.RoleAuditor)
	staffWarn = staff(channel.RoleAdmin, channel.RoleRiskOfficer)
)

func (s *Server) opriskRoutes() []route {
	return tagged("oprisk", []route{
		{method: "GET", pattern: "/v1/permissions", summary: "The permission catalogue: every permission, the roles holding it, and whether it waits for a checker",
			access: roleAdmins, handler: handle(s.listPermissions)},
		{method: "GET", pattern: "/v1/roles", summary: "Every role with the permissions it holds",
			access: roleAdmins, handler: handle(s.listRoles)},
		{method: "PUT", pattern: "/v1/roles/{role}/permissions", summary: "Replace the permissions a role holds",
			access: roleAdmins, handler: handle(s.setRolePermissions)},
		{method: "PUT", pattern: "/v1/staff/{id}/roles", summary: "Replace a staff user's roles (not by whoever created the user, nor on oneself)",
			access: roleAdmins, handler: handle(s.setStaffRoles)},
		{method: "GET", pattern: "/v1/approvals", summary: "Requests held for a checker (maker-checker), oldest first",
			access: checkers, handler: handle(s.listApprovals)},
		{method: "GET", pattern: "/v1/approvals/{id}", summary: "A held request",
			access: checkers, handler: handle(s.getApproval)},
		{method: "POST", pattern: "/v1/approvals/{id}/approve", summary: "Approve a held request (not its maker) and run it",
			access: checkers, idempotency: idemOptional, handler: handle(s.approve)},
		{method: "POST", pattern: "/v1/approvals/{id}/reject", summary: "Reject a held request (not its maker)",
			access: checkers, idempotency: idemOptional, handler: handle(s.reject)},
		{method: "GET", pattern: "/v1/staff-alerts", summary: "Staff-behaviour alerts: many PII reveals in an hour, activity outside working hours, bulk approvals of one's own team",
			access: staffWarn, handler: handle(s.listStaffAlerts)},
	})
}

func (s *Server) listPermissions(ctx context.Context, _ none) (list[permissionView], error) {
	c, err := s.oprisk.Catalogue(ctx)
	if err != nil {
		return list[permissionView]{}, err
	}
	out := list[permissionView]{Items: []permissionView{}}
	for _, p := range c.Permissions {
		_, held := s.oprisk.Policy(p.Name)
		out.Items = append(out.Items, permissionView{Name: p.Name, Summary: p.Summary, Roles: nonNil(c.RolesHolding(p.Name)), MakerChecker: held})
	}
	return out, nil
}

func (s *Server) listRoles(ctx context.Context, _ none) (list[roleView], error) {
	c, err := s.oprisk.Catalogue(ctx)
	if err != nil {
		return list[roleView]{}, err
	}
	out := list[roleView]{Items: []roleView{}}
	for _, r := range channel.Roles() {
		out.Items = append(out.Items, roleView{Role: string(r), Permissions: nonNil(c.Grants[string(r)])})
	}
	return out, nil
}

func (s *Server) setRolePermissions(ctx context.Context, req roleGrantsRequest) (roleView, error) {
	if !channel.Role(req.Role).Valid() {
		return roleView{}, fmt.Errorf("%w: no role %q", errNotFound, req.Role)
	}
	if req.Permissions == nil {
		return roleView{}, fieldErr("permissions", "list the permissions the role is to hold ([] for none)")
	}
	c, err := s.oprisk.SetGrants(ctx, req.Role, req.Permissions)
	if err != nil {
		return roleView{}, err
	}
	return roleView{Role: req.Role, Permissions: nonNil(c.Grants[req.Role])}, nil
}

func (s *Server) setStaffRoles(ctx context.Context, req staffRolesRequest) (identityResponse, error) {
	id, err := s.channel.SetRoles(ctx, req.ID, req.Roles)
	if err != nil {
		return identityResponse{}, err
	}
	s.forgetIdentity(id.ID) // its next request reads its new roles
	return identityOf(id), nil
}

// forgetIdentity drops every cached token of identity id.
func (s *Server) forgetIdentity(id uuid.UUID) {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	for k, e := range s.tokens.m {
		if e.p.IdentityID == id {
			delete(s.tokens.m, k)
		}
	}
}

func (s *Server) listApprovals(ctx context.Context, req approvalListRequest) (list[approvalView], error) {
	rs, err := s.oprisk.Requests(ctx, oprisk.Filter{Status: oprisk.Status(req.Status), After: uuid.UUID(req.After), Limit: req.Limit.n()})
	if err != nil {
		return list[approvalView]{}, err
	}
	out := list[approvalView]{Items: []approvalView{}}
	for _, r := range rs {
		out.Items = append(out.Items, s.approvalOf(r))
	}
	if len(rs) == req.Limit.n() {
		out.Next = rs[len(rs)-1].ID.String()
	}
	return out, nil
}

func (s *Server) getApproval(ctx context.Context, req approvalRead) (approvalView, error) {
	r, err := s.oprisk.Request(ctx, req.ID)
	if err != nil {
		return approvalView{}, err
	}
	return s.approvalOf(r), nil
}

// checkerOf is the caller as a checker of held: they must hold the held
// operation's permission themselves.
func (s *Server) checkerOf(ctx context.Context, id uuid.UUID) (oprisk.Actor, error) {
	caller := bank.CallerOf(ctx)
	held, err := s.oprisk.Request(ctx, id)
	if err != nil {
		return oprisk.Actor{}, err
	}
	ok, err := s.oprisk.Allowed(ctx, rolesOf(caller), held.Permission)
	if err != nil {
		return oprisk.Actor{}, err
	}
	if !ok {
		return oprisk.Actor{}, fmt.Errorf("%w: only someone who may %s may decide this request", errForbidden, held.Permission)
	}
	noteObject(ctx, id.String())
	return oprisk.Actor{ID: caller.IdentityID.String(), Username: caller.Username, Roles: rolesOf(caller)}, nil
}

func (s *Server) approve(ctx context.Context, req approvalDecision) (approvalView, error) {
	checker, err := s.checkerOf(ctx, req.ID)
	if err != nil {
		return approvalView{}, err
	}
	held, alert, err := s.oprisk.Approve(ctx, req.ID, checker, req.Note)
	if err != nil {
		return approvalView{}, err
	}
	if alert != nil {
		s.log.WarnContext(ctx, "staff alert", "kind", alert.Kind, "actor", alert.Actor, "detail", alert.Detail)
	}
	// The run acts for the maker, not for the checker; the audit trail
	// records it as the maker's, approved by the checker.
	run := context.WithoutCancel(bank.WithCaller(ctx, channel.Principal{}))
	a := s.execute(run, held)
	s.auditExecution(ctx, held, a)
	if a.status >= 500 {
		return approvalView{}, fmt.Errorf("%w: the approved request could not run (%d); approve it again to retry", errUnavailable, a.status)
	}
	done, err := s.oprisk.Complete(ctx, req.ID, a.status, a.body)
	if err != nil {
		return approvalView{}, err
	}
	noteAudit(ctx, fmt.Sprintf("ran %s %s for %s: %d", held.Method, held.Path, held.Maker.Username, a.status))
	return s.approvalOf(done), nil
}

func (s *Server) reject(ctx context.Context, req approvalDecision) (approvalView, error) {
	checker, err := s.checkerOf(ctx, req.ID)
	if err != nil {
		return approvalView{}, err
	}
	r, err := s.oprisk.Reject(ctx, req.ID, checker, req.Note)
	if err != nil {
		return approvalView{}, err
	}
	return s.approvalOf(r), nil
}

// fieldErr is an invalid-input error naming field.
func fieldErr(field, reason string) error { return fault.Field(errInvalidInput, field, reason) }
