package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver/bank"
)

// authenticate reads the bearer token and returns who it belongs to.
func (s *Server) authenticate(r *http.Request) (channel.Principal, error) {
	token := bearerToken(r)
	if token == "" {
		return channel.Principal{}, fmt.Errorf("%w: send Authorization: Bearer <token>", errUnauthenticated)
	}
	hash, now := channel.HashToken(token), s.clock.Now()
	if p, ok := s.tokens.get(hash, now); ok {
		return p, nil
	}
	principal, err := s.channel.Authenticate(r.Context(), token)
	switch {
	case errors.Is(err, channel.ErrUnauthenticated):
		return channel.Principal{}, fmt.Errorf("%w: the token is unknown, expired or revoked", errUnauthenticated)
	case err != nil:
		s.log.ErrorContext(r.Context(), "authenticate", "error", err)
		return channel.Principal{}, fmt.Errorf("%w: authentication is unavailable; retry", errUnavailable)
	}
	s.tokens.put(hash, principal, now)
	return principal, nil
}

// Request and response bodies of the auth endpoints.
type (
	tokenRequest struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Code     string `json:"code,omitempty" doc:"staff whose role needs a second factor: the 6-digit code of their authenticator app, or a recovery code"`
	}
	tokenResponse struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Subject   subject   `json:"subject"`
		// EnrolmentOnly: the token may only enrol a second factor.
		EnrolmentOnly bool `json:"enrolment_only,omitempty" doc:"true: the role needs a second factor and none is enrolled; this token may only enrol one (/v1/staff/me/second-factor...), then log in again with a code"`
	}
	subject struct {
		Kind  string         `json:"kind"`
		ID    string         `json:"id"`
		Roles []channel.Role `json:"roles"`
	}
	staffRequest struct {
		Username string         `json:"username"`
		Password string         `json:"password"`
		Roles    []channel.Role `json:"roles" doc:"admin, teller, loan_officer, risk_officer, marketing, finance, analyst, support, auditor"`
	}
	identityResponse struct {
		ID         string         `json:"id"`
		Kind       string         `json:"kind"`
		Username   string         `json:"username"`
		Roles      []channel.Role `json:"roles"`
		CustomerID string         `json:"customer_id,omitempty"`
		Status     string         `json:"status"`
		CreatedAt  time.Time      `json:"created_at"`
	}
)

// subjectOf names who a token authenticates: a staff member by identity
// id, a customer by customer id (the id the rest of the API uses).
func subjectOf(p channel.Principal) subject {
	sub := subject{Kind: string(p.Kind), ID: p.IdentityID.String(), Roles: nonNil(p.Roles)}
	if p.Kind == channel.KindCustomer {
		sub.ID = p.CustomerID
	}
	return sub
}

func identityOf(i channel.Identity) identityResponse {
	return identityResponse{ID: i.ID.String(), Kind: string(i.Kind), Username: i.Username, Roles: nonNil(i.Roles),
		CustomerID: i.CustomerID, Status: string(i.Status), CreatedAt: i.CreatedAt}
}

// Who may call the auth endpoints.
var (
	anyone     = access{public: true}
	everyone   = staff(channel.Roles()...).andCustomers()
	signedIn   = staff(slices.DeleteFunc(channel.Roles(), func(r channel.Role) bool { return r == channel.RoleAuditor })...).andCustomers()
	staffAdmin = staff(channel.RoleAdmin)
	allStaff   = staff(channel.Roles()...)
)

func (s *Server) authRoutes() []route {
	return tagged("auth", []route{
		{method: "POST", pattern: "/v1/auth/token", summary: "Log in and get a bearer token",
			access: anyone, handler: handle(s.login)},
		{method: "POST", pattern: "/v1/auth/logout", summary: "Revoke the token this request carries",
			access: everyone, status: http.StatusNoContent, handler: handle(s.logout), enrolment: true},
		{method: "GET", pattern: "/v1/staff/me/second-factor", summary: "The caller's own second factor (staff): enrolled, confirmed, recovery codes left, locked until, and whether their roles require it",
			access: allStaff, handler: handle(s.staffSecondFactor), enrolment: true},
		{method: "POST", pattern: "/v1/staff/me/second-factor/totp", summary: "Start the caller's TOTP enrolment (staff): the secret and otpauth:// URL, shown once",
			access: allStaff, status: http.StatusCreated, handler: handle(s.beginStaffTOTP), enrolment: true},
		{method: "POST", pattern: "/v1/staff/me/second-factor/totp/confirm", summary: "Confirm the caller's enrolment with a first code (staff): the recovery codes, shown once; then log in again with a code",
			access: allStaff, handler: handle(s.confirmStaffTOTP), enrolment: true},
		{method: "POST", pattern: "/v1/staff/{id}/second-factor/reset", summary: "Remove a staff user's second factor (a lost phone) and end their sessions: they enrol again at their next login",
			access: staffAdmin, handler: handle(s.resetStaffSecondFactor)},
		{method: "POST", pattern: "/v1/staff", summary: "Create a staff user",
			access: staffAdmin, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createStaff)},
	})
}

func (s *Server) login(ctx context.Context, req tokenRequest) (tokenResponse, error) {
	if !s.loginLimiter.allow(clientAddrOf(ctx), s.clock.Now()) {
		s.failedLogins.add(s.clock.Now())
		return tokenResponse{}, errTooManyLogins
	}
	g, err := s.channel.LoginWithCode(ctx, req.Username, req.Password, req.Code)
	if err != nil {
		if refusedLogin(err) {
			s.failedLogins.add(s.clock.Now())
		}
		return tokenResponse{}, err
	}
	return tokenResponse{Token: g.Token, ExpiresAt: g.ExpiresAt.UTC(), Subject: subjectOf(g.Principal), EnrolmentOnly: g.Principal.EnrolmentOnly}, nil
}

func (s *Server) logout(ctx context.Context, _ none) (none, error) {
	id := bank.CallerOf(ctx).SessionID
	s.tokens.forgetSession(id)
	_, err := s.channel.RevokeSession(ctx, id)
	s.tokens.forgetSession(id) // and whatever a request racing this one put back
	return none{}, err
}

func (s *Server) createStaff(ctx context.Context, req staffRequest) (identityResponse, error) {
	id, err := s.channel.CreateStaff(ctx, channel.NewStaff{Username: req.Username, Password: req.Password, Roles: req.Roles})
	if err != nil {
		return identityResponse{}, err
	}
	return identityOf(id), nil
}

// staffFactors is channel.SecondFactors over the server's online banking,
// which is made after the channel service.
type staffFactors struct{ s *Server }

func (f staffFactors) SecondFactorStatus(ctx context.Context, id uuid.UUID) (channel.SecondFactorStatus, error) {
	return f.s.online.SecondFactorStatus(ctx, id)
}

func (f staffFactors) VerifySecondFactor(ctx context.Context, id uuid.UUID, code string) error {
	return f.s.online.VerifySecondFactor(ctx, id, code)
}

type (
	staffSecondFactorView struct {
		secondFactorView
		Required bool `json:"required" doc:"the caller's roles log in with a second factor"`
	}
	staffCodeRequest struct {
		Code string `json:"code" doc:"a 6-digit TOTP code from the app just enrolled"`
	}
	staffIDPath struct {
		ID uuid.UUID `path:"id"`
	}
)

// ownStaff is the calling member of staff (the routes are staff-only).
func ownStaff(ctx context.Context) channel.Principal { return bank.CallerOf(ctx) }

func (s *Server) staffSecondFactor(ctx context.Context, _ none) (staffSecondFactorView, error) {
	p := ownStaff(ctx)
	st, err := s.online.SecondFactorStatus(ctx, p.IdentityID)
	if err != nil {
		return staffSecondFactorView{}, err
	}
	v := staffSecondFactorView{secondFactorView: secondFactorView{Enrolled: st.Enrolled, Confirmed: st.Confirmed,
		RecoveryCodesLeft: st.RecoveryCodesLeft, LockedUntil: timePtr(st.LockedUntil)}, Required: s.channel.NeedsSecondFactor(p.Kind, p.Roles)}
	return v, nil
}

func (s *Server) beginStaffTOTP(ctx context.Context, _ none) (enrolmentView, error) {
	p := ownStaff(ctx)
	en, err := s.online.BeginTOTP(ctx, p.IdentityID, p.Username)
	if err != nil {
		return enrolmentView{}, err
	}
	return enrolmentView{Secret: en.Secret, URL: en.URL}, nil
}

func (s *Server) confirmStaffTOTP(ctx context.Context, req staffCodeRequest) (recoveryCodesView, error) {
	codes, err := s.online.ConfirmTOTP(ctx, ownStaff(ctx).IdentityID, req.Code)
	return recoveryCodesView{RecoveryCodes: codes}, err
}

// resetStaffSecondFactor removes the enrolment and ends every session of
// the staff user, so whoever holds the lost phone or an open session is
// out; the user enrols again at the next login.
func (s *Server) resetStaffSecondFactor(ctx context.Context, req staffIDPath) (none, error) {
	i, err := s.channel.Identity(ctx, req.ID)
	if err != nil {
		return none{}, err
	}
	if i.Kind != channel.KindStaff {
		return none{}, fmt.Errorf("%w: no staff user %s", channel.ErrNotFound, req.ID)
	}
	if err := s.online.ResetSecondFactor(ctx, i.ID); err != nil && !errors.Is(err, channel.ErrNotFound) {
		return none{}, err
	}
	if _, err := s.channel.RevokeAll(ctx, i.ID); err != nil {
		return none{}, err
	}
	s.forgetIdentity(i.ID)
	return none{}, nil
}
