package text_test

import (
	"errors"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

var errInvalid = fault.New(fault.Invalid, "invalid-input", "texttest: invalid input")

func TestLine(t *testing.T) {
	for _, ok := range []string{"", "Deposit", "张三 丰", "Zoë – café ☕", "\uFFFD", "a\u00a0b", "emoji 🏦"} {
		require.NoError(t, text.Line(errInvalid, "f", ok), "%q", ok)
		require.NoError(t, text.Multiline(errInvalid, "f", ok), "%q", ok)
	}
	for s, reason := range map[string]string{
		"\x00":                   "contains the control character U+0000",
		"rent\x00":               "contains the control character U+0000",
		"a\x1bb":                 "contains the control character U+001B",
		"del\x7f":                "contains the control character U+007F",
		"c1 \u0085":              "contains the control character U+0085",
		"c1 \u009f":              "contains the control character U+009F",
		"line\nbreak":            "contains the control character U+000A",
		"tab\t":                  "contains the control character U+0009",
		"bad \xff byte":          "is not valid UTF-8 (byte 4)",
		"half \xe5\xbc":          "is not valid UTF-8 (byte 5)",
		"surrogate \xed\xa0\x80": "is not valid UTF-8 (byte 10)",
	} {
		err := text.Line(errInvalid, "description", s)
		var fe *fault.FieldError
		require.True(t, errors.As(err, &fe), "%q", s)
		require.Equal(t, "description", fe.Field)
		require.Equal(t, reason, fe.Reason, "%q", s)
		require.ErrorIs(t, err, errInvalid)
		require.Equal(t, "texttest: invalid description: "+reason, err.Error())
	}
}

func TestMultiline(t *testing.T) {
	require.NoError(t, text.Multiline(errInvalid, "f", "first line\r\n\tsecond line\n"))
	for _, bad := range []string{"\x00", "a\vb", "form\ffeed", "\u0085", "\xc3"} {
		require.ErrorIs(t, text.Multiline(errInvalid, "f", bad), errInvalid, "%q", bad)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"Invoice 42":         "Invoice 42",
		"工资\t二月\r\nthanks":   "工资 二月  thanks",
		"nul\x00 \u0085c1":   "nul   c1",
		"bad \xff\xfe bytes": "bad  bytes",
	} {
		got := text.Clean(in)
		require.Equal(t, want, got, "%q", in)
		require.NoError(t, text.Line(errInvalid, "f", got))
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "abc", "\x00", "\xff", "张", "\u0085", "a\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := text.Line(errInvalid, "f", s)
		valid := utf8ValidWithoutControls(s)
		require.Equal(t, valid, err == nil, "%q", s)
		require.NoError(t, text.Line(errInvalid, "f", text.Clean(s)), "%q", s)
		if valid {
			require.Equal(t, s, text.Clean(s))
		}
	})
}

// utf8ValidWithoutControls is the rule written the obvious way.
func utf8ValidWithoutControls(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
