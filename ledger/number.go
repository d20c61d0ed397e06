package ledger

import (
	"fmt"
	"math/rand/v2"
)

// Account numbers are AccountNumberLength decimal digits: the bank's
// prefix (1 to 8 digits, see WithNumberPrefix), then random digits, then one
// Luhn check digit over everything before it. The check digit catches every
// single mistyped digit and most swaps of neighbouring digits.
const AccountNumberLength = 16

const maxPrefixLength = 8

// ValidateAccountNumber reports whether s is a well-formed account number:
// AccountNumberLength digits whose last digit is the Luhn check digit of the
// others. The error wraps ErrInvalidInput and names the field "number".
func ValidateAccountNumber(s string) error {
	if len(s) != AccountNumberLength || !allDigits(s) {
		return invalid("number", fmt.Sprintf("must be %d digits", AccountNumberLength))
	}
	if luhnDigit(s[:len(s)-1]) != s[len(s)-1] {
		return invalid("number", "check digit does not match")
	}
	return nil
}

// luhnDigit returns the Luhn check digit for the decimal string digits.
func luhnDigit(digits string) byte {
	sum := 0
	double := true // the rightmost payload digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// newAccountNumber returns a random account number with the prefix. Two
// numbers collide with probability 10^-(15-len(prefix)); the store detects
// a collision (ErrDuplicate) and the Service draws again.
func newAccountNumber(prefix string) string {
	b := make([]byte, 0, AccountNumberLength)
	b = append(b, prefix...)
	for len(b) < AccountNumberLength-1 {
		b = append(b, byte('0'+rand.IntN(10)))
	}
	b = append(b, luhnDigit(string(b)))
	return string(b)
}

func validPrefix(p string) bool {
	return len(p) >= 1 && len(p) <= maxPrefixLength && allDigits(p)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
