package channel

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bankkit/bankkit/text"
)

// Password bounds. The minimum follows current guidance that length, not
// character classes, makes a password strong; the maximum bounds the input
// of a hash that every login pays for.
const (
	MinPasswordLength = 12  // characters
	MaxPasswordLength = 128 // bytes
)

// ValidatePassword checks a new password against the policy: 12 to 128
// bytes of UTF-8 (at least 12 characters) without control characters (no
// keyboard types them, and a NUL cuts a password short in some clients),
// not only white space. Existing passwords are not re-checked at login, so
// the policy can tighten without locking anyone out.
func ValidatePassword(p string) error {
	if len(p) > MaxPasswordLength {
		return invalid("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordLength))
	}
	if err := text.Line(ErrInvalidInput, "password", p); err != nil {
		return err
	}
	if utf8.RuneCountInString(p) < MinPasswordLength {
		return invalid("password", fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	}
	if strings.TrimSpace(p) == "" {
		return invalid("password", "must not be only white space")
	}
	return nil
}
