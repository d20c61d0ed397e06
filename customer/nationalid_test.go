package customer_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
)

// The valid ids below had their check characters computed by hand from the
// GB 11643 weights, outside this package.
func TestValidatePRCResidentID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		number string
		born   string // "" when invalid
	}{
		{"check X", "11010519491231002X", "1949-12-31"},
		{"lower-case x", "11010519491231002x", "1949-12-31"},
		{"check 1", "310115198505202011", "1985-05-20"},
		{"leap day", "110105200002290013", "2000-02-29"},
		{"wrong check digit", "110105194912310021", ""},
		{"digit for X", "110105194912310020", ""},
		{"one digit changed", "11010519491231012X", ""},
		{"17 characters", "11010519491231002", ""},
		{"19 characters", "11010519491231002X1", ""},
		{"letter inside", "1101051949123100AX", ""},
		{"bad check char", "11010519491231002Y", ""},
		{"unknown province", "99010519491231002X", ""},
		{"no such day", "110105199902300010", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			born, err := customer.ValidatePRCResidentID(tt.number)
			if tt.born == "" {
				require.ErrorIs(t, err, customer.ErrInvalidInput)
				var ve *fault.FieldError
				require.True(t, errors.As(err, &ve))
				require.Equal(t, "national_id.number", ve.Field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, calendar.MustParseDate(tt.born), born)
		})
	}
}

// Changing any one digit of a valid id must break the check: MOD 11-2
// catches every single-digit error.
func TestPRCCheckCatchesEverySingleDigitError(t *testing.T) {
	t.Parallel()
	valid := []byte("310115198505202011")
	for i := 0; i < 17; i++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == valid[i] {
				continue
			}
			mutated := append([]byte(nil), valid...)
			mutated[i] = d
			_, err := customer.ValidatePRCResidentID(string(mutated))
			require.Error(t, err, "accepted %s", mutated)
		}
	}
}

func TestNationalIDValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		id    customer.NationalID
		field string // "" when valid
	}{
		{"prc", customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"}, ""},
		{"passport alpha-2", customer.NationalID{Type: customer.Passport, Number: "E12345678", Country: "CN"}, ""},
		{"passport alpha-3", customer.NationalID{Type: customer.Passport, Number: "533380006", Country: "GBR"}, ""},
		{"passport lower case", customer.NationalID{Type: customer.Passport, Number: "e12345678", Country: "cn"}, ""},
		{"passport without country", customer.NationalID{Type: customer.Passport, Number: "E12345678"}, "national_id.country"},
		{"passport unknown country", customer.NationalID{Type: customer.Passport, Number: "E12345678", Country: "XX"}, "national_id.country"},
		{"passport too short", customer.NationalID{Type: customer.Passport, Number: "E12", Country: "CN"}, "national_id.number"},
		{"passport with space", customer.NationalID{Type: customer.Passport, Number: "E1234 5678", Country: "CN"}, "national_id.number"},
		{"prc with country", customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X", Country: "CN"}, "national_id.country"},
		{"unknown type", customer.NationalID{Type: "SSN", Number: "123456789"}, "national_id.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.id.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestNationalIDNormalize(t *testing.T) {
	t.Parallel()
	got := customer.NationalID{Type: customer.Passport, Number: "e12345678", Country: "chn"}.Normalize()
	require.Equal(t, customer.NationalID{Type: customer.Passport, Number: "E12345678", Country: "CN"}, got)
	got = customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002x"}.Normalize()
	require.Equal(t, customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"}, got)
}
