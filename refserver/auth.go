package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

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
	}
	tokenResponse struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Subject   subject   `json:"subject"`
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
)

func (s *Server) authRoutes() []route {
	return tagged("auth", []route{
		{method: "POST", pattern: "/v1/auth/token", summary: "Log in and get a bearer token",
			access: anyone, handler: handle(s.login)},
		{method: "POST", pattern: "/v1/auth/logout", summary: "Revoke the token this request carries",
			access: everyone, status: http.StatusNoContent, handler: handle(s.logout)},
		{method: "POST", pattern: "/v1/staff", summary: "Create a staff user",
			access: staffAdmin, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createStaff)},
	})
}

func (s *Server) login(ctx context.Context, req tokenRequest) (tokenResponse, error) {
	if !s.loginLimiter.allow(clientAddrOf(ctx), s.clock.Now()) {
		return tokenResponse{}, errTooManyLogins
	}
	g, err := s.channel.Login(ctx, req.Username, req.Password)
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{Token: g.Token, ExpiresAt: g.ExpiresAt.UTC(), Subject: subjectOf(g.Principal)}, nil
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
