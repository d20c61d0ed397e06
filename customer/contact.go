package customer

import (
	"net/mail"
	"strings"
)

// ValidatePhone checks that s is an E.164 number as it is stored: '+', a
// country code not starting with 0, and 8 to 15 digits in all, with no
// spaces or punctuation.
func ValidatePhone(s string) error {
	const field = "phone"
	if len(s) < 9 || len(s) > 16 || s[0] != '+' {
		return invalid(field, "must be E.164: '+' then 8 to 15 digits")
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return invalid(field, "must be E.164: '+' then 8 to 15 digits")
		}
	}
	if s[1] == '0' {
		return invalid(field, "a country code does not start with 0")
	}
	return nil
}

// ValidateEmail checks an address the way it is stored: a bare
// addr-spec (no display name, comments or quoting), a dot-atom local part of
// at most 64 ASCII characters, and a domain of at least two
// letter-digit-hyphen labels under 254 characters in all.
func ValidateEmail(s string) error {
	const field = "email"
	if len(s) > 254 {
		return invalid(field, "longer than 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return invalid(field, "must be a plain address like name@example.com")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) == 0 || len(local) > 64 || !dotAtom(local) {
		return invalid(field, "the part before @ must be 1-64 letters, digits or !#$%%&'*+/=?^_`{|}~- separated by single dots")
	}
	if err := checkDomain(domain); err != nil {
		return err
	}
	return nil
}

func dotAtom(s string) bool {
	if s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' ||
			strings.IndexByte("!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func checkDomain(d string) error {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return invalid("email", "the domain needs at least two labels")
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return invalid("email", "the domain has an empty, over-long or hyphen-edged label")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return invalid("email", "the domain holds only letters, digits, hyphens and dots")
			}
		}
	}
	top := labels[len(labels)-1]
	for i := 0; i < len(top); i++ {
		if '0' <= top[i] && top[i] <= '9' {
			return invalid("email", "the top-level domain holds no digits")
		}
	}
	return nil
}

// normalizeEmail lower-cases the domain, which is case-insensitive; the
// local part is kept as given.
func normalizeEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	return s[:at+1] + strings.ToLower(s[at+1:])
}
