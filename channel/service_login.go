package channel

import (
	"context"
	"errors"
	"fmt"
)

// Login checks a username and password and opens a session: the grant's
// token authenticates later requests until it expires or is revoked.
//
// Every refusal is ErrInvalidCredentials: unknown username, wrong password,
// disabled identity and locked identity alike, and each costs one argon2id
// hash, so neither the answer nor its timing tells whether a username
// exists. Each attempt counts towards the lockout before the password is
// checked, so concurrent guesses cannot slip past it; a successful login
// resets the count. A lock is visible to staff (Identity.LockedUntil) and
// lifted by time or by Unlock.
//
// Errors: ErrInvalidInput (a malformed username, an empty or over-long
// password: these say nothing about any account), ErrInvalidCredentials;
// for staff who need a second factor, those of LoginWithCode.
func (s *Service) Login(ctx context.Context, username, password string) (Grant, error) {
	return s.LoginWithCode(ctx, username, password, "")
}

// LoginWithCode is Login with a second-factor code (TOTP or recovery),
// for staff holding a role WithStaffSecondFactor names. After the password
// is verified (so the code reveals nothing to whoever lacks it):
//
//   - with a confirmed enrolment, no code is ErrSecondFactorRequired and a
//     wrong or reused one ErrInvalidCode (ErrSecondFactorLocked after too
//     many), with no session opened;
//   - without one, the session opened is enrolment-only
//     (Principal.EnrolmentOnly) and any code is ignored.
//
// For everyone else the code is ignored.
func (s *Service) LoginWithCode(ctx context.Context, username, password, code string) (Grant, error) {
	u, err := NormalizeUsername(username)
	if err != nil {
		return Grant{}, err
	}
	if password == "" {
		return Grant{}, invalid("password", "must be set")
	}
	if len(password) > MaxPasswordLength {
		return Grant{}, invalid("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordLength))
	}
	i, err := s.store.IdentityByUsername(ctx, u)
	if errors.Is(err, ErrNotFound) {
		dummy, derr := s.dummyCredential()
		if derr != nil {
			return Grant{}, derr
		}
		dummy.Verify(password)
		return Grant{}, ErrInvalidCredentials
	}
	if err != nil {
		return Grant{}, err
	}
	cred, err := s.checkPassword(ctx, i, password)
	if err != nil {
		return Grant{}, err
	}
	if cred.WeakerThan(s.params) {
		// Best effort: a failure here (a concurrent password change, a
		// hiccup) leaves the old hash valid, and the next login retries.
		if stronger, err := HashPassword(password, s.params); err == nil {
			if s.store.ReplaceCredential(ctx, i.ID, cred, stronger) == nil {
				cred = stronger
			}
		}
	}
	enrolmentOnly := false
	if s.NeedsSecondFactor(i.Kind, i.Roles) {
		if enrolmentOnly, err = s.secondFactor(ctx, i, code); err != nil {
			return Grant{}, err
		}
	}
	g, err := s.openSession(ctx, i, enrolmentOnly)
	if err != nil {
		return Grant{}, err
	}
	if err := s.confirmSession(ctx, g, cred); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// confirmSession closes the gap between checking the password and storing
// the session: if the password was changed or the identity disabled in
// between, that change's revocation may have run before the session
// existed, so the session is revoked here and the login refused.
func (s *Service) confirmSession(ctx context.Context, g Grant, verified Credential) error {
	i, err := s.store.Identity(ctx, g.Principal.IdentityID)
	if err != nil {
		return err
	}
	cur, err := s.store.Credential(ctx, i.ID)
	if err != nil {
		return err
	}
	if i.Status == StatusActive && cur.String() == verified.String() {
		return nil
	}
	if _, err := s.store.RevokeSession(ctx, g.SessionID, s.now()); err != nil {
		return err
	}
	return ErrInvalidCredentials
}

// checkPassword verifies password for i under the lockout and returns the
// credential it matched. Every path spends one hash.
func (s *Service) checkPassword(ctx context.Context, i Identity, password string) (Credential, error) {
	cred, err := s.store.Credential(ctx, i.ID)
	if err != nil {
		return Credential{}, err
	}
	if i.Status != StatusActive {
		cred.Verify(password)
		return Credential{}, ErrInvalidCredentials
	}
	after, admitted, err := s.store.RecordAttempt(ctx, i.ID, s.now(), s.lockout)
	if err != nil {
		return Credential{}, err
	}
	if !admitted || after.Status != StatusActive {
		cred.Verify(password)
		return Credential{}, ErrInvalidCredentials
	}
	if !cred.Verify(password) {
		return Credential{}, ErrInvalidCredentials
	}
	if _, err := s.store.ResetFailures(ctx, i.ID); err != nil {
		return Credential{}, err
	}
	return cred, nil
}

// secondFactor checks the code of a login that needs one; without a
// confirmed enrolment the session is to be enrolment-only.
func (s *Service) secondFactor(ctx context.Context, i Identity, code string) (enrolmentOnly bool, err error) {
	st, err := s.factors.SecondFactorStatus(ctx, i.ID)
	if err != nil {
		return false, err
	}
	if !st.Confirmed {
		return true, nil
	}
	if code == "" {
		return false, fmt.Errorf("%w: send the code of your authenticator app (or a recovery code) as code", ErrSecondFactorRequired)
	}
	return false, s.factors.VerifySecondFactor(ctx, i.ID, code)
}

func (s *Service) openSession(ctx context.Context, i Identity, enrolmentOnly bool) (Grant, error) {
	token, err := GenerateToken()
	if err != nil {
		return Grant{}, err
	}
	id, err := newID()
	if err != nil {
		return Grant{}, err
	}
	now := s.now()
	sess := Session{ID: id, IdentityID: i.ID, TokenHash: HashToken(token), CreatedAt: now, ExpiresAt: now.Add(s.ttl(i.Kind)),
		EnrolmentOnly: enrolmentOnly}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Grant{}, err
	}
	return Grant{Token: token, SessionID: sess.ID, ExpiresAt: sess.ExpiresAt, Principal: principalOf(i, sess)}, nil
}

// Authenticate returns the principal a token stands for. The token is
// looked up by its hash, so no secret is compared byte by byte, and the
// identity is read afresh, so role changes and disabling apply at once.
// Errors: ErrUnauthenticated (malformed, unknown, expired or revoked
// token, or a disabled identity).
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > MaxTokenLength {
		return Principal{}, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	sess, err := s.store.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	if !sess.RevokedAt.IsZero() {
		return Principal{}, fmt.Errorf("%w: token revoked", ErrUnauthenticated)
	}
	if !sess.Active(now) {
		return Principal{}, fmt.Errorf("%w: token expired", ErrUnauthenticated)
	}
	i, err := s.store.Identity(ctx, sess.IdentityID)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: identity gone", ErrUnauthenticated)
	}
	if err != nil {
		return Principal{}, err
	}
	if i.Status != StatusActive {
		return Principal{}, fmt.Errorf("%w: identity disabled", ErrUnauthenticated)
	}
	return principalOf(i, sess), nil
}
