package customer

import (
	"strings"

	"github.com/bankkit/bankkit/calendar"
)

// NationalIDType says which scheme a national id follows.
type NationalIDType string

// The national id schemes a customer can be identified by.
const (
	// PRCResidentID is the 18-character resident identity number of the
	// People's Republic of China (GB 11643-1999).
	PRCResidentID NationalIDType = "PRC_RESIDENT_ID"
	// Passport is a passport number with its issuing country.
	Passport NationalIDType = "PASSPORT"
)

// NationalID identifies one person: one customer per national id.
type NationalID struct {
	Type   NationalIDType
	Number string // PRC: 17 digits and a check character (digit or 'X'); passport: 5-20 letters and digits
	// Country is the issuing country of a passport, ISO 3166-1 alpha-2 or
	// alpha-3 ("CN" or "CHN"; stored as alpha-2). A PRC resident id leaves
	// it empty.
	Country string
}

// gb11643Weights are the position weights 2^(17-i) mod 11 of GB 11643.
var gb11643Weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// gb11643Check maps the weighted sum mod 11 to the check character (ISO 7064
// MOD 11-2, where 10 is written 'X').
const gb11643Check = "10X98765432"

// prcProvinces are the two-digit province-level codes a resident id's
// address code starts with (81-83: Hong Kong, Macao and Taiwan residence
// permits).
var prcProvinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// ValidatePRCResidentID checks an 18-character PRC resident id: the
// province code, the embedded birth date, and the MOD 11-2 check
// character. A lower-case 'x' is accepted. It returns the birth date.
func ValidatePRCResidentID(number string) (calendar.Date, error) {
	const field = "national_id.number"
	if len(number) != 18 {
		return calendar.Date{}, invalid(field, "a PRC resident id has 18 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := number[i]
		if c < '0' || c > '9' {
			return calendar.Date{}, invalid(field, "character %d must be a digit", i+1)
		}
		sum += int(c-'0') * gb11643Weights[i]
	}
	last := number[17]
	if last == 'x' {
		last = 'X'
	}
	if last != 'X' && (last < '0' || last > '9') {
		return calendar.Date{}, invalid(field, "the check character must be a digit or X")
	}
	if !prcProvinces[number[:2]] {
		return calendar.Date{}, invalid(field, "unknown province code %s", number[:2])
	}
	born, err := calendar.ParseDate(number[6:10] + "-" + number[10:12] + "-" + number[12:14])
	if err != nil {
		return calendar.Date{}, invalid(field, "the embedded birth date %s is not a date", number[6:14])
	}
	if want := gb11643Check[sum%11]; last != want {
		return calendar.Date{}, invalid(field, "check character is %c, want %c", last, want)
	}
	return born, nil
}

// ValidatePassportNumber checks a passport number: 5 to 20 ASCII letters
// and digits. Lower-case letters are accepted (Normalize upper-cases them).
func ValidatePassportNumber(number string) error {
	const field = "national_id.number"
	if len(number) < 5 || len(number) > 20 {
		return invalid(field, "a passport number has 5 to 20 characters")
	}
	for i := 0; i < len(number); i++ {
		c := number[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return invalid(field, "a passport number holds only letters and digits")
		}
	}
	return nil
}

// Normalize returns the canonical form: number upper-cased, country as
// ISO 3166-1 alpha-2. Two ids naming the same document normalise to the
// same value. A country code that is not assigned is only upper-cased
// (Validate rejects it).
func (n NationalID) Normalize() NationalID {
	country := strings.ToUpper(n.Country)
	if a2, ok := countryAlpha2(country); ok {
		country = a2
	}
	return NationalID{Type: n.Type, Number: strings.ToUpper(n.Number), Country: country}
}

// Validate checks the id on its own: the type, the number's format and
// check character, and a passport's issuing country. It does not compare a
// PRC id's birth date with the customer's; Customer.Validate does.
func (n NationalID) Validate() error {
	_, err := n.validate()
	return err
}

// validate returns the birth date a PRC id embeds (zero for passports).
func (n NationalID) validate() (calendar.Date, error) {
	switch n.Type {
	case PRCResidentID:
		if n.Country != "" {
			return calendar.Date{}, invalid("national_id.country", "a PRC resident id has no issuing country")
		}
		return ValidatePRCResidentID(n.Number)
	case Passport:
		if err := ValidatePassportNumber(n.Number); err != nil {
			return calendar.Date{}, err
		}
		if _, ok := countryAlpha2(strings.ToUpper(n.Country)); !ok {
			return calendar.Date{}, invalid("national_id.country", "must be an ISO 3166-1 alpha-2 or alpha-3 code")
		}
		return calendar.Date{}, nil
	}
	return calendar.Date{}, invalid("national_id.type", "must be %s or %s", PRCResidentID, Passport)
}

// indexKey is the normalised text the blind index is computed over, so
// "CHN" and "CN" passports collide as they should.
func (n NationalID) indexKey() string {
	n = n.Normalize()
	return string(n.Type) + "|" + n.Country + "|" + n.Number
}
