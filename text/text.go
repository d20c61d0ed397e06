// Package text is bankkit's one rule for the free text it accepts: names,
// addresses, descriptions, notes, metadata, query values. Text must be
// valid UTF-8 and hold no control characters (Unicode category Cc: the C0
// set with NUL, DEL and the C1 set); multi-line text may also hold line
// breaks and tabs. A NUL is refused by PostgreSQL's text type and kept by
// a map, so without the rule the two backends of a subsystem would answer
// the same request differently; the other control characters corrupt
// logs, terminals and the files bankkit writes.
//
// Each check returns a *fault.FieldError naming the field and wrapping the
// caller's invalid-input sentinel, so the error is the caller's own.
//
// Like money, calendar and fault, text is a shared kernel: every subsystem
// may import it, and it imports nothing of bankkit but fault.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bankkit/bankkit/fault"
)

// Line checks one line of free text: valid UTF-8 without control
// characters. The error is a *fault.FieldError on field wrapping invalid.
func Line(invalid error, field, s string) error { return check(invalid, field, s, false) }

// Multiline checks free text that may run over several lines (a complaint,
// a note): as Line, but line feeds, carriage returns and tabs are allowed.
func Multiline(invalid error, field, s string) error { return check(invalid, field, s, true) }

// Clean returns s as one line Line accepts: bytes that are not UTF-8 are
// dropped and each control character becomes a space. It is for text from
// the field that bankkit keeps rather than refuses, such as the remittance
// information of a payment received from another bank.
func Clean(s string) string {
	if problem(s, false) == "" {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

func check(invalid error, field, s string, multiline bool) error {
	if reason := problem(s, multiline); reason != "" {
		return fault.Field(invalid, field, reason)
	}
	return nil
}

// problem says what is wrong with s, or "" when nothing is.
func problem(s string, multiline bool) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			continue // printable ASCII: the common case, without decoding
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Sprintf("is not valid UTF-8 (byte %d)", i)
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U", r)
		}
		i += size - 1
	}
	return ""
}
