package customer_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func TestMaskFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"prc id", customer.MaskNationalID("11010519491231002X"), "110105********002X"},
		{"passport", customer.MaskNationalID("E12345678"), "E12****78"},
		{"short id", customer.MaskNationalID("AB12"), "****"},
		{"national phone", customer.MaskPhone("13812345678"), "138****5678"},
		{"e164 phone", customer.MaskPhone("+8613812345678"), "+86138****5678"},
		{"short phone keeps half", customer.MaskPhone("123456"), "***456"},
		{"email", customer.MaskEmail("zhang.san@example.com"), "z***@example.com"},
		{"one-letter email", customer.MaskEmail("z@example.com"), "***@example.com"},
		{"no email", customer.MaskEmail(""), ""},
		{"not an email", customer.MaskEmail("zhangsan"), "***"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got, tt.name)
	}
}

func TestCustomerMask(t *testing.T) {
	t.Parallel()
	c := customer.Customer{
		FullName:    "张三",
		DateOfBirth: calendar.MustParseDate("1949-12-31"),
		NationalID:  customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"},
		Phones:      []string{"+8613812345678"},
		Email:       "zhang.san@example.com",
		Address: customer.Address{Line1: "1 Chang'an Avenue", City: "北京", Province: "北京市",
			PostalCode: "100000", Country: "CN"},
	}
	m := c.Mask()
	require.Equal(t, "张三", m.FullName)
	require.Equal(t, "1949-**-**", m.DateOfBirth)
	require.Equal(t, "110105********002X", m.NationalID)
	require.Equal(t, []string{"+86138****5678"}, m.Phones)
	require.Equal(t, "z***@example.com", m.Email)
	require.Equal(t, customer.Address{Line1: "***", City: "北京", Province: "北京市", PostalCode: "***", Country: "CN"}, m.Address)
}
