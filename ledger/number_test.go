package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
	"github.com/stretchr/testify/require"
)

// luhnValid is the textbook Luhn check, written apart from luhnDigit: from
// the right, double every second digit, subtract 9 from results over 9,
// and the sum must end in 0.
func luhnValid(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func TestValidateAccountNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		number string
		ok     bool
	}{
		{"6200000000000013", true},
		{"4539578763621486", true}, // a published Luhn test number
		{"6200000000000014", false},
		{"620000000000013", false},   // 15 digits
		{"62000000000000130", false}, // 17 digits
		{"62000000000000a3", false},
		{"", false},
		{"6200 0000 0000 0013", false},
	}
	for _, tc := range tests {
		err := ValidateAccountNumber(tc.number)
		if tc.ok {
			require.NoError(t, err, tc.number)
			continue
		}
		require.ErrorIs(t, err, ErrInvalidInput, tc.number)
		var ve *fault.FieldError
		require.True(t, errors.As(err, &ve))
		require.Equal(t, "number", ve.Field)
	}
}

func TestNewAccountNumber(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, prefix := range []string{"6", "62", "12345678"} {
		for range 200 {
			n := newAccountNumber(prefix)
			require.True(t, strings.HasPrefix(n, prefix))
			require.NoError(t, ValidateAccountNumber(n))
			require.True(t, luhnValid(n), n)
			seen[n] = true
		}
	}
	require.Greater(t, len(seen), 590, "numbers are drawn at random")
}

func TestCheckDigitCatchesSingleDigitErrors(t *testing.T) {
	t.Parallel()
	n := "6212345678901232"
	require.True(t, luhnValid(n))
	require.NoError(t, ValidateAccountNumber(n))
	for i := range len(n) {
		for d := byte('0'); d <= '9'; d++ {
			if d == n[i] {
				continue
			}
			typo := n[:i] + string(d) + n[i+1:]
			require.Error(t, ValidateAccountNumber(typo), typo)
		}
	}
}

func FuzzValidateAccountNumber(f *testing.F) {
	for _, s := range []string{"6200000000000013", "6200000000000014", "", "abc", "62000000000000130"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateAccountNumber(s)
		wellFormed := len(s) == AccountNumberLength && allDigits(s) && luhnValid(s)
		if wellFormed != (err == nil) {
			t.Fatalf("ValidateAccountNumber(%q) = %v, Luhn says %v", s, err, wellFormed)
		}
		if err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("error %v does not wrap ErrInvalidInput", err)
		}
	})
}

// outboxOnly is a Store of which NewService asks only the outbox, for its
// Feed; every other method would panic.
type outboxOnly struct{ Store }

func (outboxOnly) Events() event.Log { return nil }

func TestWithNumberPrefix(t *testing.T) {
	t.Parallel()
	var store outboxOnly // the options are checked before the store is asked for anything
	for _, bad := range []string{"", "6a", "123456789"} {
		s, err := NewService(store, WithNumberPrefix(bad))
		require.ErrorIs(t, err, ErrInvalidInput, "prefix %q", bad)
		require.Nil(t, s)
	}
	s, err := NewService(store, WithNumberPrefix("88"))
	require.NoError(t, err)
	require.Equal(t, "88", s.prefix)
	_, err = NewService(nil)
	require.ErrorIs(t, err, ErrInvalidInput, "a Service needs a store")
}
