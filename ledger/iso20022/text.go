package iso20022

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length limits of the standard's text types.
const (
	maxIDLength         = 35  // Max35Text: MsgId, EndToEndId, TxId, RtrId, ...
	maxNameLength       = 140 // Max140Text: Nm
	maxRemittanceLength = 140 // Max140Text: RmtInf/Ustrd
	maxAddtlInfLength   = 105 // Max105Text: RtrRsnInf/AddtlInf
	maxOtherIDLength    = 34  // Max34Text: Othr/Id of an account
)

// checkText checks free text (names, remittance lines): valid UTF-8, at most
// max characters, and no control characters. Text read from the field may
// carry tabs and line breaks (XML allows them); text bankkit writes may not.
func checkText(path, s string, max int, required, strict bool) error {
	switch {
	case s == "":
		if required {
			return invalid(path, "missing")
		}
		return nil
	case !utf8.ValidString(s):
		return invalid(path, "not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return invalid(path, "longer than %d characters", max)
	}
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			if strict {
				return invalid(path, "contains a tab or line break")
			}
			continue
		}
		if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF {
			return invalid(path, "contains the control character %U", r)
		}
	}
	return nil
}

// checkID checks an identifier such as MsgId or EndToEndId. Every identifier
// is at most 35 characters. Identifiers bankkit writes also keep to the Latin
// character set that clearing systems accept in references (letters, digits,
// space and / - ? : ( ) . , ' +), neither start nor end with "/" and do not
// contain "//"; identifiers read from the field are held only to the
// standard's own rule.
func checkID(path, s string, required, strict bool) error {
	if err := checkText(path, s, maxIDLength, required, strict); err != nil || s == "" || !strict {
		return err
	}
	for _, r := range s {
		if !isReferenceChar(r) {
			return invalid(path, "character %q is outside the reference character set", r)
		}
	}
	if strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return invalid(path, "must not start or end with \"/\" or contain \"//\"")
	}
	if strings.TrimSpace(s) != s {
		return invalid(path, "has leading or trailing spaces")
	}
	return nil
}

func isReferenceChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune(" /-?:().,'+", r)
}

// checkCode checks a code such as a return reason or a balance type: one to
// max upper-case letters or digits.
func checkCode(path, s string, max int) error {
	if s == "" {
		return invalid(path, "missing")
	}
	if len(s) > max {
		return invalid(path, "code %q is longer than %d characters", s, max)
	}
	for i := 0; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return invalid(path, "code %q is not upper-case letters and digits", s)
		}
	}
	return nil
}

func isUpperAlnum(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }
func isUpper(c byte) bool      { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool      { return '0' <= c && c <= '9' }

// checkBIC checks a business identifier code (ISO 9362): four letters or
// digits for the institution, two letters for the country, two letters or
// digits for the location and an optional three for the branch.
func checkBIC(path, s string) error {
	if len(s) != 8 && len(s) != 11 {
		return invalid(path, "BIC %q is not 8 or 11 characters", s)
	}
	for i := 0; i < len(s); i++ {
		ok := isUpperAlnum(s[i])
		if i == 4 || i == 5 {
			ok = isUpper(s[i])
		}
		if !ok {
			return invalid(path, "BIC %q is malformed at position %d", s, i+1)
		}
	}
	return nil
}

// checkIBAN checks the shape of an IBAN (ISO 13616): country letters, two
// check digits, up to 30 letters or digits. With strict, the check digits
// must also be right, so bankkit never sends a payment a mistyped account
// number would return.
func checkIBAN(path, s string, strict bool) error {
	if len(s) < 5 || len(s) > 34 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return invalid(path, "IBAN %q is malformed", s)
	}
	for i := 4; i < len(s); i++ {
		if !isUpperAlnum(s[i]) && !('a' <= s[i] && s[i] <= 'z') {
			return invalid(path, "IBAN %q is malformed at position %d", s, i+1)
		}
	}
	if strict && ibanRemainder(s) != 1 {
		return invalid(path, "IBAN %q has wrong check digits", s)
	}
	return nil
}

// ibanRemainder computes the IBAN's number modulo 97 (ISO 7064 MOD 97-10):
// the first four characters move to the end and letters count as 10..35.
func ibanRemainder(s string) int {
	rem := 0
	for _, c := range []byte(s[4:] + s[:4]) {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case 'a' <= c && c <= 'z':
			rem = (rem*100 + int(c-'a'+10)) % 97
		default:
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	return rem
}

// checkUETR checks a unique end-to-end transaction reference: the standard
// requires a lower-case version 4 UUID (the format is the standard's, not
// bankkit's choice of id).
func checkUETR(path, s string) error {
	const layout = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
	if len(s) != len(layout) {
		return invalid(path, "UETR %q is not a UUID", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var ok bool
		switch layout[i] {
		case '-', '4':
			ok = c == layout[i]
		case 'y':
			ok = c == '8' || c == '9' || c == 'a' || c == 'b'
		default:
			ok = isDigit(c) || 'a' <= c && c <= 'f'
		}
		if !ok {
			return invalid(path, "UETR %q is not a lower-case version 4 UUID", s)
		}
	}
	return nil
}

// at formats a repeated element's path with its 1-based position, as XPath
// counts: at("Ntry", 0) is "Ntry[1]".
func at(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i+1) }
