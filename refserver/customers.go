package refserver

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// Who may do what with customers.
var (
	rolesCustomerRead  = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleLoanOfficer}
	rolesCustomerWrite = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport}
	rolesKYC           = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer}
	// rolesReveal may see full PII, each read logged with its reason.
	rolesReveal = []channel.Role{channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer}
)

type (
	nationalIDBody struct {
		Type    customer.NationalIDType `json:"type"`
		Number  string                  `json:"number"`
		Country string                  `json:"country,omitempty"`
	}
	addressBody struct {
		Line1      string `json:"line1,omitempty"`
		Line2      string `json:"line2,omitempty"`
		City       string `json:"city,omitempty"`
		Province   string `json:"province,omitempty"`
		PostalCode string `json:"postal_code,omitempty"`
		Country    string `json:"country,omitempty"`
	}
	customerCreateRequest struct {
		FullName    string              `json:"full_name"`
		Gender      customer.Gender     `json:"gender"`
		DateOfBirth calendar.Date       `json:"date_of_birth"`
		NationalID  nationalIDBody      `json:"national_id"`
		Phone       string              `json:"phone,omitempty"`
		Email       string              `json:"email,omitempty"`
		Address     *addressBody        `json:"address,omitempty"`
		Occupation  string              `json:"occupation,omitempty"`
		IncomeBand  customer.IncomeBand `json:"income_band,omitempty"`
		Language    string              `json:"preferred_language,omitempty"`
		Channel     customer.Channel    `json:"preferred_channel,omitempty"`
	}
	customerPatchRequest struct {
		FullName   *string              `json:"full_name,omitempty"`
		Gender     *customer.Gender     `json:"gender,omitempty"`
		Phone      *string              `json:"phone,omitempty"`
		Email      *string              `json:"email,omitempty"`
		Address    *addressBody         `json:"address,omitempty"`
		Occupation *string              `json:"occupation,omitempty"`
		IncomeBand *customer.IncomeBand `json:"income_band,omitempty"`
		RiskRating *customer.RiskRating `json:"risk_rating,omitempty"`
		Status     *customer.Status     `json:"status,omitempty"`
	}
	kycRequest struct {
		Status customer.KYCStatus `json:"status"`
		Note   string             `json:"note"`
	}
	kycView struct {
		Status    customer.KYCStatus `json:"status"`
		By        string             `json:"by,omitempty"`
		Reason    string             `json:"reason,omitempty"`
		DecidedAt *time.Time         `json:"decided_at,omitempty"`
	}
	customerView struct {
		ID                string              `json:"id"`
		FullName          string              `json:"full_name"`
		Gender            customer.Gender     `json:"gender"`
		DateOfBirth       string              `json:"date_of_birth"`
		NationalID        nationalIDBody      `json:"national_id"`
		Phone             string              `json:"phone,omitempty"`
		Phones            []string            `json:"phones"`
		Email             string              `json:"email,omitempty"`
		Address           addressBody         `json:"address"`
		Occupation        string              `json:"occupation,omitempty"`
		IncomeBand        customer.IncomeBand `json:"income_band,omitempty"`
		PreferredChannel  customer.Channel    `json:"preferred_channel,omitempty"`
		PreferredLanguage string              `json:"preferred_language,omitempty"`
		KYC               kycView             `json:"kyc"`
		RiskRating        customer.RiskRating `json:"risk_rating"`
		Status            customer.Status     `json:"status"`
		Version           int64               `json:"version"`
		Masked            bool                `json:"masked"`
	}
	complaintRequest struct {
		Category    customer.ComplaintCategory `json:"category"`
		Description string                     `json:"description"`
		Channel     customer.Channel           `json:"channel"`
	}
	complaintView struct {
		ID           string                     `json:"id"`
		CustomerID   string                     `json:"customer_id"`
		Category     customer.ComplaintCategory `json:"category"`
		Description  string                     `json:"description"`
		Channel      customer.Channel           `json:"channel"`
		Status       customer.ComplaintStatus   `json:"status"`
		Assignee     string                     `json:"assignee,omitempty"`
		OpenedAt     time.Time                  `json:"opened_at"`
		DueOn        calendar.Date              `json:"due_on"`
		Resolution   string                     `json:"resolution,omitempty"`
		Satisfaction int                        `json:"satisfaction,omitempty"`
	}
	complaintAction struct {
		Assignee     string `json:"assignee,omitempty"`
		Note         string `json:"note,omitempty"`
		Satisfaction int    `json:"satisfaction,omitempty"`
	}
	list[T any] struct {
		Items []T    `json:"items"`
		Next  string `json:"next"`
	}
)

func (a addressBody) toDomain() customer.Address {
	return customer.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, Province: a.Province, PostalCode: a.PostalCode, Country: a.Country}
}

func addressView(a customer.Address) addressBody {
	return addressBody{Line1: a.Line1, Line2: a.Line2, City: a.City, Province: a.Province, PostalCode: a.PostalCode, Country: a.Country}
}

func maskedView(m customer.Masked) customerView {
	v := customerView{
		ID: m.ID.String(), FullName: m.FullName, Gender: m.Gender, DateOfBirth: m.DateOfBirth,
		NationalID: nationalIDBody{Type: m.NationalIDType, Number: m.NationalID},
		Phones:     nonNil(m.Phones), Email: m.Email, Address: addressView(m.Address),
		Occupation: m.Occupation, IncomeBand: m.IncomeBand,
		PreferredChannel: m.Preferences.Channel, PreferredLanguage: m.Preferences.Language,
		KYC: kycOf(m.KYC), RiskRating: m.Risk, Status: m.Status, Version: m.Version, Masked: true,
	}
	if len(m.Phones) > 0 {
		v.Phone = m.Phones[0]
	}
	return v
}

func fullView(c customer.Customer) customerView {
	v := maskedView(c.Mask())
	v.DateOfBirth = c.DateOfBirth.String()
	v.NationalID = nationalIDBody{Type: c.NationalID.Type, Number: c.NationalID.Number, Country: c.NationalID.Country}
	v.Phones = nonNil(c.Phones)
	v.Phone = ""
	if len(c.Phones) > 0 {
		v.Phone = c.Phones[0]
	}
	v.Email = c.Email
	v.Address = addressView(c.Address)
	v.Masked = false
	return v
}

func kycOf(k customer.KYC) kycView {
	v := kycView{Status: k.Status, By: k.By, Reason: k.Reason}
	if !k.At.IsZero() {
		at := k.At.UTC()
		v.DecidedAt = &at
	}
	return v
}

func complaintOf(c customer.Complaint) complaintView {
	return complaintView{ID: c.ID.String(), CustomerID: c.CustomerID.String(), Category: c.Category,
		Description: c.Description, Channel: c.Channel, Status: c.Status, Assignee: c.Assignee,
		OpenedAt: c.OpenedAt.UTC(), DueOn: c.DueOn, Resolution: c.Resolution, Satisfaction: c.Satisfaction}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// customerID reads the {id} path value and enforces ownership: a customer
// may only name themselves; anyone else's id is "not found".
func (rc *reqCtx) customerID(name string) (customer.ID, error) {
	raw := rc.r.PathValue(name)
	id, err := customer.ParseID(raw)
	if err != nil {
		return customer.NilID, errNotFound
	}
	if rc.isCustomer() && rc.caller.CustomerID != id.String() {
		return customer.NilID, errNotFound
	}
	return id, nil
}

func (s *Server) customerRoutes() []route {
	return []route{
		{
			method: "POST", pattern: "/v1/customers", tag: "customers", summary: "Onboard a customer",
			access: access{roles: rolesCustomerWrite}, idempotency: idemOptional,
			request: customerCreateRequest{}, response: customerView{}, status: http.StatusCreated,
			handle: s.createCustomer,
		},
		{
			method: "GET", pattern: "/v1/customers/{id}", tag: "customers",
			summary: "Read a customer (PII masked; staff allowed to see PII add reveal=<fields>&reason=<why>, and the read is logged)",
			access:  access{roles: rolesCustomerRead, customer: true}, response: customerView{}, status: http.StatusOK,
			query:  []queryParam{{"reveal", "comma-separated: national_id, phones, email, address, date_of_birth, or all"}, {"reason", "why the full data is needed (required with reveal)"}},
			handle: s.getCustomer,
		},
		{
			method: "PATCH", pattern: "/v1/customers/{id}", tag: "customers",
			summary: "Change a customer; If-Match: <version> guards against lost updates (412 when stale)",
			access:  access{roles: rolesCustomerWrite, customer: true}, request: customerPatchRequest{}, response: customerView{}, status: http.StatusOK,
			handle: s.patchCustomer,
		},
		{
			method: "GET", pattern: "/v1/customers", tag: "customers", summary: "Find customers: national_id (exact), phone (exact), name (prefix), or list with filters",
			access: access{roles: rolesCustomerRead}, response: list[customerView]{}, status: http.StatusOK,
			query: []queryParam{{"national_id", "exact national id (PRC resident id or passport number)"}, {"national_id_type", "PRC_RESIDENT_ID (default) or PASSPORT"},
				{"country", "passport issuing country"}, {"phone", "exact E.164 phone"}, {"name", "name prefix"}, {"status", ""}, {"kyc_status", ""}, {"risk_rating", ""}, {"limit", "1-500, default 50"}, {"after", "cursor"}},
			handle: s.findCustomers,
		},
		{
			method: "POST", pattern: "/v1/customers/{id}/kyc", tag: "customers", summary: "Record the KYC verdict",
			access: access{roles: rolesKYC}, idempotency: idemOptional, request: kycRequest{}, response: customerView{}, status: http.StatusOK,
			handle: s.setKYC,
		},
		{
			method: "POST", pattern: "/v1/customers/{id}/online-banking", tag: "customers", summary: "Set up the customer's own online-banking login",
			access: access{roles: rolesCustomerWrite}, idempotency: idemOptional, request: loginSetupRequest{}, response: identityResponse{}, status: http.StatusCreated,
			handle: s.setupOnlineBanking,
		},
		{
			method: "GET", pattern: "/v1/customers/{id}/accounts", tag: "customers", summary: "The customer's accounts",
			access: access{roles: rolesCustomerRead, customer: true}, response: list[accountView]{}, status: http.StatusOK,
			handle: s.customerAccounts,
		},
		{
			method: "POST", pattern: "/v1/customers/{id}/complaints", tag: "complaints", summary: "Open a complaint (SLA due date on the business calendar)",
			access: access{roles: rolesCustomerWrite, customer: true}, idempotency: idemOptional, request: complaintRequest{}, response: complaintView{}, status: http.StatusCreated,
			handle: s.openComplaint,
		},
		{
			method: "GET", pattern: "/v1/customers/{id}/complaints", tag: "complaints", summary: "The customer's complaints",
			access: access{roles: rolesCustomerRead, customer: true}, response: list[complaintView]{}, status: http.StatusOK,
			handle: s.listComplaints,
		},
		s.complaintTransition("assign", "Assign a complaint (open → in_progress)"),
		s.complaintTransition("resolve", "Resolve a complaint with a note (→ resolved)"),
		s.complaintTransition("close", "Close a resolved complaint, optionally with a 1–5 satisfaction score"),
		s.complaintTransition("reopen", "Reopen a resolved or closed complaint"),
	}
}

func (s *Server) createCustomer(rc *reqCtx) (any, error) {
	var req customerCreateRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	n := customer.NewCustomer{
		FullName: req.FullName, Gender: req.Gender, DateOfBirth: req.DateOfBirth,
		NationalID: customer.NationalID{Type: req.NationalID.Type, Number: req.NationalID.Number, Country: req.NationalID.Country},
		Email:      req.Email, Occupation: req.Occupation, IncomeBand: req.IncomeBand,
		Preferences: customer.Preferences{Channel: req.Channel, Language: req.Language},
	}
	if req.Phone != "" {
		n.Phones = []string{req.Phone}
	}
	if req.Address != nil {
		n.Address = req.Address.toDomain()
	}
	m, err := s.customer.Create(rc.ctx(), n)
	if err != nil {
		return nil, apiPhoneField(err)
	}
	return maskedView(m), nil
}

// apiPhoneField names the API's single "phone" field where the customer
// package, which keeps a list, says "phones" or "phones[0]".
func apiPhoneField(err error) error {
	var ve *fault.FieldError
	if errors.As(err, &ve) && strings.HasPrefix(ve.Field, "phones") {
		return badField("phone", ve.Reason)
	}
	return err
}

func (s *Server) getCustomer(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	q := rc.r.URL.Query()
	if reveal := q.Get("reveal"); reveal != "" {
		if rc.isCustomer() || !hasAnyRole(rc.caller, rolesReveal) {
			return nil, errForbiddenReveal
		}
		fields, err := parseFields(reveal)
		if err != nil {
			return nil, err
		}
		c, _, err := s.customer.Reveal(rc.ctx(), rc.caller.IdentityID.String(), id, fields, q.Get("reason"))
		if err != nil {
			return nil, err
		}
		return fullView(c), nil
	}
	m, err := s.customer.Get(rc.ctx(), id)
	if err != nil {
		return nil, err
	}
	return maskedView(m), nil
}

var errForbiddenReveal = &forbiddenErr{"your role may not see full personal data"}

type forbiddenErr struct{ msg string }

func (e *forbiddenErr) Error() string { return e.msg }

func hasAnyRole(p channel.Principal, roles []channel.Role) bool {
	return access{roles: roles}.allows(p)
}

func parseFields(s string) ([]customer.Field, error) {
	if s == "all" {
		return customer.AllFields, nil
	}
	var out []customer.Field
	for _, f := range strings.Split(s, ",") {
		field := customer.Field(strings.TrimSpace(f))
		if !slices.Contains(customer.AllFields, field) {
			return nil, badField("reveal", "unknown field "+strconv.Quote(string(field)))
		}
		out = append(out, field)
	}
	return out, nil
}

// staffOnly names the first field of the patch that only staff may change
// (name, gender, income band, risk rating, status), or "". Customers may
// change their own phone, email, address and occupation.
func (req customerPatchRequest) staffOnly() string {
	switch {
	case req.FullName != nil:
		return "full_name"
	case req.Gender != nil:
		return "gender"
	case req.IncomeBand != nil:
		return "income_band"
	case req.RiskRating != nil:
		return "risk_rating"
	case req.Status != nil:
		return "status"
	}
	return ""
}

func (s *Server) patchCustomer(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	var req customerPatchRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	if f := req.staffOnly(); f != "" && rc.isCustomer() {
		return nil, &forbiddenErr{"customers cannot change " + f + "; ask the bank"}
	}
	ifMatch := strings.Trim(rc.r.Header.Get("If-Match"), `" `)
	version, err := strconv.ParseInt(strings.TrimPrefix(ifMatch, "W/"), 10, 64)
	if ifMatch == "" || err != nil {
		return nil, &preconditionRequired{}
	}
	p := customer.Patch{FullName: req.FullName, Gender: req.Gender, Email: req.Email, Occupation: req.Occupation,
		IncomeBand: req.IncomeBand, Risk: req.RiskRating, Status: req.Status}
	if req.Phone != nil {
		phones := []string{}
		if *req.Phone != "" {
			phones = []string{*req.Phone}
		}
		p.Phones = &phones
	}
	if req.Address != nil {
		a := req.Address.toDomain()
		p.Address = &a
	}
	m, err := s.customer.Update(rc.ctx(), id, version, p)
	if err != nil {
		return nil, apiPhoneField(err)
	}
	return maskedView(m), nil
}

type preconditionRequired struct{}

func (*preconditionRequired) Error() string {
	return "send If-Match with the customer's current version, so that a concurrent change is not overwritten"
}

func (s *Server) findCustomers(rc *reqCtx) (any, error) {
	q := rc.r.URL.Query()
	switch {
	case q.Get("national_id") != "":
		typ := customer.NationalIDType(q.Get("national_id_type"))
		if typ == "" {
			typ = customer.PRCResidentID
		}
		m, err := s.customer.FindByNationalID(rc.ctx(), customer.NationalID{Type: typ, Number: q.Get("national_id"), Country: q.Get("country")})
		if err != nil {
			if errors.Is(err, customer.ErrNotFound) {
				return list[customerView]{Items: []customerView{}}, nil
			}
			return nil, err
		}
		return list[customerView]{Items: []customerView{maskedView(m)}}, nil
	case q.Get("phone") != "":
		ms, err := s.customer.FindByPhone(rc.ctx(), q.Get("phone"))
		if err != nil {
			return nil, err
		}
		return customerList(ms, 0), nil
	}
	page, err := pageOf(rc, customer.ParseID)
	if err != nil {
		return nil, err
	}
	ms, err := s.customer.List(rc.ctx(), customer.Filter{NamePrefix: q.Get("name"), Status: customer.Status(q.Get("status")),
		KYC: customer.KYCStatus(q.Get("kyc_status")), Risk: customer.RiskRating(q.Get("risk_rating"))},
		customer.Page{After: page.after, Limit: page.limit})
	if err != nil {
		return nil, err
	}
	return customerList(ms, page.limit), nil
}

func customerList(ms []customer.Masked, limit int) list[customerView] {
	out := list[customerView]{Items: make([]customerView, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, maskedView(m))
	}
	if limit > 0 && len(ms) == limit {
		out.Next = ms[len(ms)-1].ID.String()
	}
	return out
}

func (s *Server) setKYC(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	var req kycRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	m, err := s.customer.SetKYC(rc.ctx(), id, customer.KYCDecision{Status: req.Status, By: rc.caller.IdentityID.String(), Reason: req.Note})
	if err != nil {
		return nil, err
	}
	return maskedView(m), nil
}

func (s *Server) setupOnlineBanking(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	var req loginSetupRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	if _, err := s.customer.Get(rc.ctx(), id); err != nil {
		return nil, err
	}
	ident, err := s.channel.CreateCustomerLogin(rc.ctx(), channel.NewCustomerLogin{CustomerID: id.String(), Username: req.Username, Password: req.Password})
	if err != nil {
		return nil, err
	}
	return identityOf(ident), nil
}

func (s *Server) customerAccounts(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	if _, err := s.customer.Get(rc.ctx(), id); err != nil {
		return nil, err
	}
	var out []accountView
	after := ledger.NilID
	for {
		accts, next, err := s.ledger.ListAccounts(rc.ctx(), ledger.AccountFilter{OwnerID: id.String(), After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			out = append(out, accountOf(a))
		}
		if next == ledger.NilID {
			break
		}
		after = next
	}
	return list[accountView]{Items: nonNil(out)}, nil
}

func (s *Server) openComplaint(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	var req complaintRequest
	if err := rc.decode(&req); err != nil {
		return nil, err
	}
	c, err := s.customer.OpenComplaint(rc.ctx(), id, customer.NewComplaint{Category: req.Category, Description: req.Description, Channel: req.Channel})
	if err != nil {
		return nil, err
	}
	return complaintOf(c), nil
}

func (s *Server) listComplaints(rc *reqCtx) (any, error) {
	id, err := rc.customerID("id")
	if err != nil {
		return nil, err
	}
	cs, err := s.customer.Complaints(rc.ctx(), id)
	if err != nil {
		return nil, err
	}
	out := list[complaintView]{Items: make([]complaintView, 0, len(cs))}
	for _, c := range cs {
		out.Items = append(out.Items, complaintOf(c))
	}
	return out, nil
}

// complaintTransition is one step of the complaint lifecycle. Customers may
// close (rating the resolution) and reopen their own complaints; staff do
// the rest.
func (s *Server) complaintTransition(action, summary string) route {
	acc := access{roles: rolesCustomerWrite}
	if action == "close" || action == "reopen" {
		acc.customer = true
	}
	return route{
		method: "POST", pattern: "/v1/complaints/{id}/" + action, tag: "complaints", summary: summary,
		access: acc, idempotency: idemOptional, request: complaintAction{}, response: complaintView{}, status: http.StatusOK,
		handle: func(rc *reqCtx) (any, error) {
			id, err := customer.ParseID(rc.r.PathValue("id"))
			if err != nil {
				return nil, errNotFound
			}
			c, err := s.customer.Complaint(rc.ctx(), id)
			if err != nil {
				return nil, err
			}
			if rc.isCustomer() && rc.caller.CustomerID != c.CustomerID.String() {
				return nil, errNotFound
			}
			var req complaintAction
			if len(rc.body) > 0 {
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
			}
			switch action {
			case "assign":
				assignee := req.Assignee
				if assignee == "" {
					assignee = rc.caller.IdentityID.String()
				}
				c, err = s.customer.AssignComplaint(rc.ctx(), id, assignee)
			case "resolve":
				c, err = s.customer.ResolveComplaint(rc.ctx(), id, req.Note)
			case "close":
				c, err = s.customer.CloseComplaint(rc.ctx(), id, req.Satisfaction)
			case "reopen":
				c, err = s.customer.ReopenComplaint(rc.ctx(), id)
			}
			if err != nil {
				return nil, err
			}
			return complaintOf(c), nil
		},
	}
}
