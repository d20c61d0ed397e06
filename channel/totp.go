package channel

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 as every authenticator app reads it (SHA-1,
// six digits, 30-second steps), with one step of clock drift allowed
// either side.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// SecondFactor is an identity's TOTP enrolment. The secret is stored
// sealed (see SecretSealer); recovery codes only as hashes.
type SecondFactor struct {
	IdentityID uuid.UUID
	// Secret is the base32 secret, as sealed by the service's
	// SecretSealer (as it is without one).
	Secret      []byte
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero until a first code confirms the enrolment
	// LastStep is the TOTP time step of the last code accepted: a code of
	// that step or an earlier one is a replay and is refused.
	LastStep int64
	// Failures and LockedUntil are the wrong-code count and lock, under
	// OnlineConfig.SecondFactorLockout.
	Failures    int
	LockedUntil time.Time
	Recovery    []RecoveryCode
}

// Confirmed reports whether the enrolment has been confirmed.
func (f SecondFactor) Confirmed() bool { return !f.ConfirmedAt.IsZero() }

// RecoveryCode is one single-use recovery code, kept as the SHA-256 of the
// identity id and the normalised code (80 random bits: a fast hash is
// enough).
type RecoveryCode struct {
	Hash   [sha256.Size]byte
	UsedAt time.Time
}

// Enrolment is what BeginTOTP returns, shown to the customer once: the
// secret and the otpauth:// URL an authenticator app reads (as a QR code).
type Enrolment struct {
	Secret string
	URL    string
}

// SecondFactorStatus is what a customer or staff may see of an enrolment.
type SecondFactorStatus struct {
	Enrolled          bool
	Confirmed         bool
	RecoveryCodesLeft int
	LockedUntil       time.Time
}

// BeginTOTP starts (or restarts, while unconfirmed) the TOTP enrolment of
// an identity; accountName is what the authenticator app shows. A
// confirmed enrolment is not replaced: ErrDuplicate.
func (o *Online) BeginTOTP(ctx context.Context, identityID uuid.UUID, accountName string) (Enrolment, error) {
	if err := validateID("identity_id", identityID); err != nil {
		return Enrolment{}, err
	}
	if accountName == "" || len(accountName) > 64 {
		return Enrolment{}, invalid("account_name", "must be 1 to 64 characters")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: o.cfg.Issuer, AccountName: accountName,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("channel: totp: %w", err)
	}
	sealed, err := o.seal(ctx, identityID, []byte(key.Secret()))
	if err != nil {
		return Enrolment{}, err
	}
	f := SecondFactor{IdentityID: identityID, Secret: sealed, CreatedAt: o.now()}
	if err := o.store.CreateSecondFactor(ctx, f); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP confirms the enrolment with a first code from the app and
// returns the recovery codes, shown this once. A wrong code counts towards
// the lock like any other.
func (o *Online) ConfirmTOTP(ctx context.Context, identityID uuid.UUID, code string) ([]string, error) {
	codes, hashes, err := o.newRecoveryCodes(identityID)
	if err != nil {
		return nil, err
	}
	err = o.check(ctx, identityID, code, false, func(f *SecondFactor) {
		f.ConfirmedAt = o.now()
		f.Recovery = hashes
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifySecondFactor checks a TOTP code or a recovery code of a confirmed
// enrolment. The attempt is counted before the check, so that concurrent
// guesses cannot pass the lock; a TOTP code is accepted once (its step is
// remembered), a recovery code once ever.
func (o *Online) VerifySecondFactor(ctx context.Context, identityID uuid.UUID, code string) error {
	return o.check(ctx, identityID, code, true, nil)
}

// RegenerateRecoveryCodes replaces the recovery codes (all earlier ones
// stop working) after a valid code.
func (o *Online) RegenerateRecoveryCodes(ctx context.Context, identityID uuid.UUID, code string) ([]string, error) {
	codes, hashes, err := o.newRecoveryCodes(identityID)
	if err != nil {
		return nil, err
	}
	if err := o.check(ctx, identityID, code, true, func(f *SecondFactor) { f.Recovery = hashes }); err != nil {
		return nil, err
	}
	return codes, nil
}

// SecondFactorStatus returns what may be shown of the identity's enrolment.
func (o *Online) SecondFactorStatus(ctx context.Context, identityID uuid.UUID) (SecondFactorStatus, error) {
	f, err := o.store.SecondFactor(ctx, identityID)
	if errors.Is(err, ErrNotFound) {
		return SecondFactorStatus{}, nil
	}
	if err != nil {
		return SecondFactorStatus{}, err
	}
	st := SecondFactorStatus{Enrolled: true, Confirmed: f.Confirmed(), LockedUntil: f.LockedUntil}
	if !f.LockedUntil.After(o.now()) {
		st.LockedUntil = time.Time{}
	}
	for _, r := range f.Recovery {
		if r.UsedAt.IsZero() {
			st.RecoveryCodesLeft++
		}
	}
	return st, nil
}

// ResetSecondFactor removes the identity's enrolment (staff, after
// verifying the customer another way); the customer enrols again.
func (o *Online) ResetSecondFactor(ctx context.Context, identityID uuid.UUID) error {
	if err := validateID("identity_id", identityID); err != nil {
		return err
	}
	return o.store.DeleteSecondFactor(ctx, identityID)
}

// check counts one attempt and checks code, atomically in the store. With
// confirmed, the enrolment must be confirmed (a TOTP or recovery code is
// accepted); without, it must not be (only a TOTP code, which confirms
// it). onSuccess changes the enrolment further when the code is good.
func (o *Online) check(ctx context.Context, identityID uuid.UUID, code string, confirmed bool, onSuccess func(*SecondFactor)) error {
	if err := validateID("identity_id", identityID); err != nil {
		return err
	}
	if len(code) > 32 {
		return invalid("code", "must be a 6-digit code or a recovery code")
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return invalid("code", "must be a 6-digit code or a recovery code")
	}
	now := o.now()
	var verdict error
	_, err := o.store.UpdateSecondFactor(ctx, identityID, func(f SecondFactor) (SecondFactor, error) {
		if f.Confirmed() != confirmed {
			if confirmed {
				return f, fmt.Errorf("%w: confirm the enrolment first", ErrNotEnrolled)
			}
			return f, fmt.Errorf("%w: the enrolment is confirmed already", ErrNotEnrolled)
		}
		// The login lockout's rule, on the second factor's own count.
		counted, admitted := o.cfg.SecondFactorLockout.Attempt(Identity{FailedLogins: f.Failures, LockedUntil: f.LockedUntil}, now)
		if !admitted {
			verdict = fmt.Errorf("%w until %s", ErrSecondFactorLocked, f.LockedUntil.Format(time.RFC3339))
			return f, nil
		}
		f.Failures, f.LockedUntil = counted.FailedLogins, counted.LockedUntil
		ok, err := o.accept(&f, code, now, confirmed)
		if err != nil {
			return f, err
		}
		if !ok {
			verdict = ErrInvalidCode
			if !f.LockedUntil.IsZero() {
				verdict = fmt.Errorf("%w; now %w", ErrInvalidCode, ErrSecondFactorLocked)
			}
			return f, nil
		}
		f.Failures, f.LockedUntil = 0, time.Time{}
		if onSuccess != nil {
			onSuccess(&f)
		}
		return f, nil
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: enrol a second factor first", ErrNotEnrolled)
	}
	if err != nil {
		return err
	}
	return verdict
}

// accept checks code against f, and marks it used if it is good.
func (o *Online) accept(f *SecondFactor, code string, now time.Time, recoveryAllowed bool) (bool, error) {
	if len(code) == 6 && isDigits(code) {
		secret, err := o.open(f.IdentityID, f.Secret)
		if err != nil {
			return false, err
		}
		step := now.Unix() / totpPeriod
		for _, s := range []int64{step - totpSkew, step, step + totpSkew} {
			if s <= f.LastStep {
				continue // that step's code was used, or an older one
			}
			good, err := hotp.ValidateCustom(code, uint64(s), string(secret),
				hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				return false, fmt.Errorf("channel: totp: %w", err)
			}
			if good {
				f.LastStep = s
				return true, nil
			}
		}
		return false, nil
	}
	if !recoveryAllowed {
		return false, nil
	}
	h := recoveryHash(f.IdentityID, code)
	for i, r := range f.Recovery {
		if r.UsedAt.IsZero() && subtle.ConstantTimeCompare(r.Hash[:], h[:]) == 1 {
			f.Recovery[i].UsedAt = now
			return true, nil
		}
	}
	return false, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Recovery codes: 16 base32 characters (80 bits) in groups of four.
var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func (o *Online) newRecoveryCodes(identityID uuid.UUID) ([]string, []RecoveryCode, error) {
	codes := make([]string, o.cfg.RecoveryCodes)
	hashes := make([]RecoveryCode, o.cfg.RecoveryCodes)
	for i := range codes {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, fmt.Errorf("channel: recovery code: %w", err)
		}
		s := recoveryEncoding.EncodeToString(b[:])
		codes[i] = strings.ToLower(s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16])
		hashes[i] = RecoveryCode{Hash: recoveryHash(identityID, codes[i])}
	}
	return codes, hashes, nil
}

// recoveryHash hashes a recovery code as typed: case, spaces and dashes do
// not matter.
func recoveryHash(identityID uuid.UUID, code string) [sha256.Size]byte {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
	return sha256.Sum256(append(identityID[:], norm...))
}

func (o *Online) seal(ctx context.Context, identityID uuid.UUID, b []byte) ([]byte, error) {
	if o.sealer == nil {
		return b, nil
	}
	s, err := o.sealer.Seal(ctx, identityID[:], b)
	if err != nil {
		return nil, fmt.Errorf("channel: seal secret: %w", err)
	}
	return s, nil
}

func (o *Online) open(identityID uuid.UUID, b []byte) ([]byte, error) {
	if o.sealer == nil {
		return b, nil
	}
	p, err := o.sealer.Open(identityID[:], b)
	if err != nil {
		return nil, fmt.Errorf("channel: open secret: %w", err)
	}
	return p, nil
}
