package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Who may do what with customers.
var (
	customerReaders = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport, channel.RoleRiskOfficer, channel.RoleLoanOfficer)
	customerWriters = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleSupport)
	kycOfficers     = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer)
	// piiReaders may see full personal data, each read logged with its
	// reason.
	piiReaders = staff(channel.RoleAdmin, channel.RoleTeller, channel.RoleRiskOfficer)
)

func (s *Server) customerRoutes() []route {
	return tagged("customers", []route{
		{method: "POST", pattern: "/v1/customers", summary: "Onboard a customer",
			access: customerWriters, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createCustomer)},
		{method: "GET", pattern: "/v1/customers/{id}",
			summary: "Read a customer (PII masked; staff allowed to see PII add reveal=<fields>&reason=<why>, and the read is logged)",
			access:  customerReaders.andCustomers(), handler: handle(s.getCustomer)},
		{method: "PATCH", pattern: "/v1/customers/{id}",
			summary: "Change a customer; If-Match: <version> guards against lost updates (412 when stale)",
			access:  customerWriters.andCustomers(), handler: handle(s.patchCustomer)},
		{method: "GET", pattern: "/v1/customers", summary: "Find customers: national_id (exact), phone (exact), name (prefix), or list with filters",
			access: customerReaders, handler: handle(s.findCustomers)},
		{method: "POST", pattern: "/v1/customers/{id}/kyc", summary: "Record the KYC verdict",
			access: kycOfficers, idempotency: idemOptional, handler: handle(s.setKYC)},
		{method: "POST", pattern: "/v1/customers/{id}/online-banking", summary: "Set up the customer's own online-banking login",
			access: customerWriters, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.setUpOnlineBanking)},
		{method: "GET", pattern: "/v1/customers/{id}/accounts", summary: "The customer's accounts",
			access: customerReaders.andCustomers(), handler: handle(s.customerAccounts)},
	})
}

type (
	nationalIDBody struct {
		Type    customer.NationalIDType `json:"type" doc:"PRC_RESIDENT_ID or PASSPORT"`
		Number  string                  `json:"number" doc:"a PRC resident id must pass its GB 11643 check digit; reads show it masked unless revealed"`
		Country string                  `json:"country,omitempty" doc:"a passport's issuing country, ISO 3166-1 (none for a PRC resident id)"`
	}
	// addressRequest is an address as a request sends it: line1, city
	// and country are what the bank needs of one.
	addressRequest struct {
		Line1      string `json:"line1"`
		Line2      string `json:"line2,omitempty"`
		City       string `json:"city"`
		Province   string `json:"province,omitempty"`
		PostalCode string `json:"postal_code,omitempty"`
		Country    string `json:"country" doc:"ISO 3166-1 alpha-2"`
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
		Gender      customer.Gender     `json:"gender" doc:"female, male, other or unspecified"`
		DateOfBirth calendar.Date       `json:"date_of_birth" doc:"YYYY-MM-DD; a PRC resident id's must match"`
		NationalID  nationalIDBody      `json:"national_id"`
		Phone       string              `json:"phone" doc:"E.164, e.g. +8613812345678"`
		Email       string              `json:"email,omitempty"`
		Address     *addressRequest     `json:"address,omitempty"`
		Occupation  string              `json:"occupation,omitempty"`
		IncomeBand  customer.IncomeBand `json:"income_band,omitempty" doc:"undisclosed, low, middle, high or very_high"`
		Language    string              `json:"preferred_language,omitempty" doc:"a language tag such as zh-CN"`
		Channel     customer.Channel    `json:"preferred_channel,omitempty" doc:"email, sms, phone, mail, app, web or branch"`
		ExternalRef string              `json:"external_ref,omitempty" doc:"your own reference for the customer, unique among yours; find it again with GET /v1/customers?external_ref="`
	}
	customerRead struct {
		ID     customer.ID  `path:"id"`
		Reveal revealFields `query:"reveal" doc:"comma-separated: national_id, phones, email, address, date_of_birth, or all"`
		Reason string       `query:"reason" doc:"why the full data is needed (required with reveal)"`
	}
	customerPatchRequest struct {
		ID         customer.ID          `path:"id" json:"-"`
		IfMatch    string               `header:"If-Match" doc:"the customer's current version; required (428 without it)" json:"-"`
		FullName   *string              `json:"full_name,omitempty"`
		Gender     *customer.Gender     `json:"gender,omitempty"`
		Phone      *string              `json:"phone,omitempty"`
		Email      *string              `json:"email,omitempty"`
		Address    *addressRequest      `json:"address,omitempty" doc:"replaces the whole address; {} removes it"`
		Occupation *string              `json:"occupation,omitempty"`
		IncomeBand *customer.IncomeBand `json:"income_band,omitempty"`
		RiskRating *customer.RiskRating `json:"risk_rating,omitempty"`
		Status     *customer.Status     `json:"status,omitempty"`
	}
	customerQuery struct {
		NationalID     string                  `query:"national_id" doc:"exact national id (PRC resident id or passport number)"`
		NationalIDType customer.NationalIDType `query:"national_id_type" doc:"PRC_RESIDENT_ID (default) or PASSPORT"`
		Country        string                  `query:"country" doc:"passport issuing country"`
		Phone          string                  `query:"phone" doc:"exact E.164 phone"`
		Name           string                  `query:"name" doc:"name prefix"`
		Status         customer.Status         `query:"status"`
		KYCStatus      customer.KYCStatus      `query:"kyc_status"`
		RiskRating     customer.RiskRating     `query:"risk_rating"`
		ExternalRef    string                  `query:"external_ref" doc:"your own reference: the customer you created with it, if any"`
		page
	}
	customerPath struct {
		ID customer.ID `path:"id"`
	}
	kycRequest struct {
		ID     customer.ID        `path:"id" json:"-"`
		Status customer.KYCStatus `json:"status" doc:"verified or rejected"`
		Note   string             `json:"note" doc:"why: what was checked, or why it was rejected"`
	}
	loginSetupRequest struct {
		ID       customer.ID `path:"id" json:"-"`
		Username string      `json:"username"`
		Password string      `json:"password"`
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
		DateOfBirth       string              `json:"date_of_birth" doc:"the year only, unless revealed"`
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
		// Masked is true while any personal field is masked; Revealed
		// names the fields shown in full.
		Masked      bool             `json:"masked" doc:"true while any personal field is masked"`
		Revealed    []customer.Field `json:"revealed,omitempty" doc:"the personal fields shown in full (a reveal)"`
		ExternalRef string           `json:"external_ref,omitempty" doc:"the creating client's own reference"`
	}
)

// revealFields is the ?reveal= list: comma-separated fields, or all.
type revealFields []customer.Field

func (f *revealFields) UnmarshalText(b []byte) error {
	if string(b) == "all" {
		*f = customer.AllFields
		return nil
	}
	for _, s := range strings.Split(string(b), ",") {
		field := customer.Field(strings.TrimSpace(s))
		if !slices.Contains(customer.AllFields, field) {
			return fmt.Errorf("unknown field %q", field)
		}
		*f = append(*f, field)
	}
	return nil
}

func (a addressRequest) toDomain() customer.Address {
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
		ExternalRef: m.ExternalRef.Ref,
	}
	if len(m.Phones) > 0 {
		v.Phone = m.Phones[0]
	}
	return v
}

// revealedView is the masked view m with the fields of c named in fields
// shown in full: a partial reveal keeps every other field masked.
func revealedView(m customer.Masked, c customer.Customer, fields []customer.Field) customerView {
	v := maskedView(m)
	for _, f := range customer.AllFields {
		if !slices.Contains(fields, f) {
			continue
		}
		switch f {
		case customer.FieldNationalID:
			v.NationalID = nationalIDBody{Type: c.NationalID.Type, Number: c.NationalID.Number, Country: c.NationalID.Country}
		case customer.FieldPhones:
			v.Phones, v.Phone = nonNil(c.Phones), ""
			if len(c.Phones) > 0 {
				v.Phone = c.Phones[0]
			}
		case customer.FieldEmail:
			v.Email = c.Email
		case customer.FieldAddress:
			v.Address = addressView(c.Address)
		case customer.FieldDateOfBirth:
			v.DateOfBirth = c.DateOfBirth.String()
		default:
			continue // documents are not part of this view
		}
		v.Revealed = append(v.Revealed, f)
	}
	v.Masked = len(v.Revealed) < viewedPersonalFields
	return v
}

// viewedPersonalFields is how many personal fields the customer view
// shows: all but the documents.
var viewedPersonalFields = len(customer.AllFields) - 1

func kycOf(k customer.KYC) kycView {
	v := kycView{Status: k.Status, By: k.By, Reason: k.Reason}
	if !k.At.IsZero() {
		at := k.At.UTC()
		v.DecidedAt = &at
	}
	return v
}

// masked answers a customer read, or its error.
func masked(m customer.Masked, err error) (customerView, error) {
	if err != nil {
		return customerView{}, err
	}
	return maskedView(m), nil
}

func (s *Server) createCustomer(ctx context.Context, req customerCreateRequest) (customerView, error) {
	n := customer.NewCustomer{
		FullName: req.FullName, Gender: req.Gender, DateOfBirth: req.DateOfBirth,
		NationalID: customer.NationalID{Type: req.NationalID.Type, Number: req.NationalID.Number, Country: req.NationalID.Country},
		Email:      req.Email, Occupation: req.Occupation, IncomeBand: req.IncomeBand,
		Preferences: customer.Preferences{Channel: req.Channel, Language: req.Language},
	}
	if req.ExternalRef != "" {
		n.ExternalRef = customer.ExternalRef{Client: bank.RefClient(ctx), Ref: req.ExternalRef}
	}
	if req.Phone != "" {
		n.Phones = []string{req.Phone}
	}
	if req.Address != nil {
		n.Address = req.Address.toDomain()
	}
	m, err := s.customer.Create(ctx, n)
	return masked(m, apiPhoneField(err))
}

// apiPhoneField names the API's single "phone" field where the customer
// package, which keeps a list, says "phones" or "phones[0]".
func apiPhoneField(err error) error { return asAPIField(err, "phones", "phone") }

// asAPIField renames a field error whose field starts with pkgField to
// apiField: the name the API gives what a package calls otherwise.
func asAPIField(err error, pkgField, apiField string) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Field, pkgField) {
		return fault.Field(fe.Err, apiField, fe.Reason)
	}
	return err
}

func (s *Server) getCustomer(ctx context.Context, req customerRead) (customerView, error) {
	if req.Reveal == nil {
		return masked(s.bank.Customer(ctx, req.ID))
	}
	caller := bank.CallerOf(ctx)
	if !piiReaders.allows(caller) {
		return customerView{}, fmt.Errorf("%w: your role may not see full personal data", errForbidden)
	}
	m, err := s.customer.Get(ctx, req.ID)
	if err != nil {
		return customerView{}, err
	}
	c, _, err := s.customer.Reveal(ctx, caller.IdentityID.String(), req.ID, req.Reveal, req.Reason)
	if err != nil {
		return customerView{}, err
	}
	// The masked fields must be of the version revealed: a change in
	// between is read again (the reveal, which is logged, is not).
	for range 2 {
		if m.Version == c.Version {
			break
		}
		if m, err = s.customer.Get(ctx, req.ID); err != nil {
			return customerView{}, err
		}
	}
	if m.Version != c.Version {
		return customerView{}, fmt.Errorf("%w: the customer changed while it was read; retry", errConflict)
	}
	return revealedView(m, c, req.Reveal), nil
}

func (s *Server) patchCustomer(ctx context.Context, req customerPatchRequest) (customerView, error) {
	ifMatch := strings.Trim(req.IfMatch, `" `)
	version, err := strconv.ParseInt(strings.TrimPrefix(ifMatch, "W/"), 10, 64)
	if ifMatch == "" || err != nil {
		return customerView{}, fault.Field(errPreconditionRequired, "If-Match",
			"send the customer's current version, so that a concurrent change is not overwritten")
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
	m, err := s.bank.UpdateCustomer(ctx, req.ID, version, p)
	return masked(m, apiPhoneField(err))
}

func (s *Server) findCustomers(ctx context.Context, q customerQuery) (list[customerView], error) {
	switch {
	case q.ExternalRef != "":
		m, err := s.customer.ByExternalRef(ctx, customer.ExternalRef{Client: bank.RefClient(ctx), Ref: q.ExternalRef})
		if errors.Is(err, customer.ErrNotFound) {
			return list[customerView]{Items: []customerView{}}, nil
		}
		if err != nil {
			return list[customerView]{}, err
		}
		return list[customerView]{Items: []customerView{maskedView(m)}}, nil
	case q.NationalID != "":
		typ := q.NationalIDType
		if typ == "" {
			typ = customer.PRCResidentID
		}
		m, err := s.customer.FindByNationalID(ctx, customer.NationalID{Type: typ, Number: q.NationalID, Country: q.Country})
		if errors.Is(err, customer.ErrNotFound) {
			return list[customerView]{Items: []customerView{}}, nil
		}
		if err != nil {
			return list[customerView]{}, err
		}
		return list[customerView]{Items: []customerView{maskedView(m)}}, nil
	case q.Phone != "":
		ms, err := s.customer.FindByPhone(ctx, q.Phone)
		return customerList(ms, 0), err
	}
	ms, err := s.customer.List(ctx, customer.Filter{NamePrefix: q.Name, Status: q.Status, KYC: q.KYCStatus, Risk: q.RiskRating},
		customer.Page{After: q.After.id(), Limit: q.Limit.n()})
	return customerList(ms, q.Limit.n()), err
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

func (s *Server) setKYC(ctx context.Context, req kycRequest) (customerView, error) {
	m, err := s.customer.SetKYC(ctx, req.ID, customer.KYCDecision{Status: req.Status,
		By: bank.CallerOf(ctx).IdentityID.String(), Reason: req.Note})
	// The customer package calls the note the decision's reason.
	return masked(m, asAPIField(err, "reason", "note"))
}

func (s *Server) setUpOnlineBanking(ctx context.Context, req loginSetupRequest) (identityResponse, error) {
	ident, err := s.bank.SetUpOnlineBanking(ctx, req.ID, req.Username, req.Password)
	if err != nil {
		return identityResponse{}, err
	}
	return identityOf(ident), nil
}

func (s *Server) customerAccounts(ctx context.Context, req customerPath) (list[accountView], error) {
	accts, err := s.bank.CustomerAccounts(ctx, req.ID)
	if err != nil {
		return list[accountView]{}, err
	}
	return accountList(accts, ""), nil
}
