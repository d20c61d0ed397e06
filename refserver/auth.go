package refserver

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bankkit/bankkit/channel"
)

// authenticate reads the bearer token and returns who it belongs to, or the
// 401 problem to answer.
func (s *Server) authenticate(r *http.Request) (channel.Principal, *Problem) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		p := probUnauthenticated.problem("send Authorization: Bearer <token>")
		return channel.Principal{}, &p
	}
	principal, err := s.channel.Authenticate(r.Context(), strings.TrimSpace(token))
	if err != nil {
		if !errors.Is(err, channel.ErrUnauthenticated) {
			s.log.ErrorContext(r.Context(), "authenticate", "error", err)
			p := probUnavailable.problem("authentication is unavailable; retry")
			return channel.Principal{}, &p
		}
		p := probUnauthenticated.problem("the token is unknown, expired or revoked")
		return channel.Principal{}, &p
	}
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
		Roles    []channel.Role `json:"roles"`
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
	loginSetupRequest struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
)

// subjectOf names who a token authenticates: a staff member by identity
// id, a customer by customer id (the id the rest of the API uses).
func subjectOf(p channel.Principal) subject {
	sub := subject{Kind: string(p.Kind), ID: p.IdentityID.String(), Roles: p.Roles}
	if p.Kind == channel.KindCustomer {
		sub.ID = p.CustomerID
	}
	if sub.Roles == nil {
		sub.Roles = []channel.Role{}
	}
	return sub
}

func identityOf(i channel.Identity) identityResponse {
	roles := i.Roles
	if roles == nil {
		roles = []channel.Role{}
	}
	return identityResponse{ID: i.ID.String(), Kind: string(i.Kind), Username: i.Username, Roles: roles,
		CustomerID: i.CustomerID, Status: string(i.Status), CreatedAt: i.CreatedAt}
}

func (s *Server) authRoutes() []route {
	return []route{
		{
			method: "POST", pattern: "/v1/auth/token", tag: "auth", summary: "Log in and get a bearer token",
			access: access{public: true}, request: tokenRequest{}, response: tokenResponse{}, status: http.StatusOK,
			handle: func(rc *reqCtx) (any, error) {
				var req tokenRequest
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
				if !s.loginLimiter.allow(clientAddr(rc.r), s.clock.Now()) {
					return nil, errTooManyLogins
				}
				g, err := s.channel.Login(rc.ctx(), req.Username, req.Password)
				if err != nil {
					return nil, err
				}
				return tokenResponse{Token: g.Token, ExpiresAt: g.ExpiresAt.UTC(), Subject: subjectOf(g.Principal)}, nil
			},
		},
		{
			method: "POST", pattern: "/v1/auth/logout", tag: "auth", summary: "Revoke the token this request carries",
			access: access{roles: channel.Roles(), customer: true}, status: http.StatusNoContent,
			handle: func(rc *reqCtx) (any, error) {
				_, token, _ := strings.Cut(rc.r.Header.Get("Authorization"), " ")
				return nil, s.channel.Revoke(rc.ctx(), strings.TrimSpace(token))
			},
		},
		{
			method: "POST", pattern: "/v1/staff", tag: "auth", summary: "Create a staff user",
			access: access{roles: []channel.Role{channel.RoleAdmin}}, idempotency: idemOptional,
			request: staffRequest{}, response: identityResponse{}, status: http.StatusCreated,
			handle: func(rc *reqCtx) (any, error) {
				var req staffRequest
				if err := rc.decode(&req); err != nil {
					return nil, err
				}
				id, err := s.channel.CreateStaff(rc.ctx(), channel.NewStaff{Username: req.Username, Password: req.Password, Roles: req.Roles})
				if err != nil {
					return nil, err
				}
				return identityOf(id), nil
			},
		},
	}
}
