package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
)

func TestValidatePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		phone string
		ok    bool
	}{
		{"+8613812345678", true},
		{"+14155552671", true},
		{"+442071838750", true},
		{"+12345678", true},          // 8 digits, the shortest accepted
		{"+123456789012345", true},   // 15 digits, the E.164 maximum
		{"+1234567", false},          // 7 digits
		{"+1234567890123456", false}, // 16 digits
		{"8613812345678", false},     // no '+'
		{"+86 138 1234 5678", false}, // spaces
		{"+86-13812345678", false},
		{"+0123456789", false}, // country codes do not start with 0
		{"+86１３８12345678", false},
		{"", false},
	}
	for _, tt := range tests {
		err := customer.ValidatePhone(tt.phone)
		if tt.ok {
			require.NoError(t, err, tt.phone)
		} else {
			require.ErrorIs(t, err, customer.ErrInvalidInput, tt.phone)
		}
	}
}

func TestValidateEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		email string
		ok    bool
	}{
		{"zhang.san@example.com", true},
		{"a@b.cn", true},
		{"first+tag@mail.example.co.uk", true},
		{"o'brien@example.ie", true},
		{"Zhang San <zs@example.com>", false}, // display name
		{"zs@localhost", false},               // one label
		{"zs@example..com", false},
		{"zs@-example.com", false},
		{"zs@example.123", false},
		{".zs@example.com", false},
		{"z..s@example.com", false},
		{`"z s"@example.com`, false}, // quoted local part
		{"zs@[127.0.0.1]", false},
		{"zs@exa_mple.com", false},
		{"张三@example.com", false},
		{strings.Repeat("a", 65) + "@example.com", false},
		{"zs@" + strings.Repeat("a", 64) + ".com", false},
		{"", false},
		{"zs@example.com ", false},
	}
	for _, tt := range tests {
		err := customer.ValidateEmail(tt.email)
		if tt.ok {
			require.NoError(t, err, tt.email)
		} else {
			require.ErrorIs(t, err, customer.ErrInvalidInput, tt.email)
		}
	}
}
