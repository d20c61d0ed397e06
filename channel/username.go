package channel

import (
	"fmt"
	"strings"
)

// Username bounds, in bytes after normalisation.
const (
	MinUsernameLength = 3
	MaxUsernameLength = 64
)

// NormalizeUsername returns the form a username is stored and looked up in:
// surrounding white space trimmed and letters lower-cased, so "Alice " and
// "alice" are the same login. A username is ASCII letters, digits and
// ". _ - @", starting with a letter or digit: a small alphabet has no
// look-alike characters, and folding only ASCII case means no other
// character can turn into a letter on the way (as the Kelvin sign would
// turn into "k" under Unicode lower-casing).
func NormalizeUsername(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) < MinUsernameLength || len(t) > MaxUsernameLength {
		return "", invalid("username", fmt.Sprintf("must be %d to %d characters", MinUsernameLength, MaxUsernameLength))
	}
	b := []byte(t)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			b[i] = c + ('a' - 'A')
		case c == '.' || c == '_' || c == '-' || c == '@':
			if i == 0 {
				return "", invalid("username", "must start with a letter or digit")
			}
		case c >= 0x80:
			return "", invalid("username", fmt.Sprintf("byte %d is not ASCII (letters, digits, . _ - @)", i))
		default:
			return "", invalid("username", fmt.Sprintf("character %q at byte %d is not allowed (letters, digits, . _ - @)", rune(c), i))
		}
	}
	return string(b), nil
}
