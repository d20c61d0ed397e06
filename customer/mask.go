package customer

import (
	"strings"
	"unicode/utf8"
)

// Masked is the view of a customer for roles that need no full personal
// data, and what every ordinary read returns. Identifiers keep just enough
// to be recognised on the phone ("138****5678"); the rest is hidden.
type Masked struct {
	ID             ID
	FullName       string
	Gender         Gender
	DateOfBirth    string // the year only: "1990-**-**"
	NationalIDType NationalIDType
	NationalID     string // "110105********002X"
	Phones         []string
	Email          string  // "z***@example.com"
	Address        Address // city, province and country; lines and postal code hidden
	Occupation     string
	IncomeBand     IncomeBand
	Preferences    Preferences
	KYC            KYC
	Risk           RiskRating
	Status         Status
	Version        int64
	ExternalRef    ExternalRef
}

// Mask returns the masked view of c.
func (c Customer) Mask() Masked {
	m := Masked{
		ID: c.ID, FullName: c.FullName, Gender: c.Gender,
		NationalIDType: c.NationalID.Type, NationalID: MaskNationalID(c.NationalID.Number),
		Email: MaskEmail(c.Email), Address: MaskAddress(c.Address), Occupation: c.Occupation,
		IncomeBand: c.IncomeBand, Preferences: c.Preferences, KYC: c.KYC, Risk: c.Risk,
		Status: c.Status, Version: c.Version, ExternalRef: c.ExternalRef,
	}
	if c.DateOfBirth.Valid() {
		m.DateOfBirth = c.DateOfBirth.String()[:4] + "-**-**"
	}
	for _, p := range c.Phones {
		m.Phones = append(m.Phones, MaskPhone(p))
	}
	return m
}

// MaskNationalID keeps the first third (at most 6) and the last quarter (at
// most 4) of the characters and stars the rest, so an 18-character PRC id
// shows its region code and the last four. Four characters or fewer are
// all starred.
func MaskNationalID(s string) string {
	r := []rune(s)
	n := len(r)
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	head, tail := min(n/3, 6), min(n/4, 4)
	return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
}

// MaskPhone stars the four digits before the last four: "+8613812345678"
// becomes "+86138****5678" and "13812345678" becomes "138****5678". Shorter
// numbers keep at most half their digits.
func MaskPhone(s string) string {
	r := []rune(s)
	n := len(r)
	if n <= 4 {
		return strings.Repeat("*", n)
	}
	tail := 4
	if n < 8 {
		tail = n / 2
	}
	starred := min(4, n-tail)
	head := n - tail - starred
	return string(r[:head]) + strings.Repeat("*", starred) + string(r[n-tail:])
}

// MaskEmail keeps the first character of the local part and the domain:
// "zhang.san@example.com" becomes "z***@example.com". Three stars always,
// so the mask does not tell the length. A one-character local part is
// starred entirely; text without '@' becomes "***".
func MaskEmail(s string) string {
	if s == "" {
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "***"
	}
	local, domain := s[:at], s[at:]
	first, size := utf8.DecodeRuneInString(local)
	if size >= len(local) || first == utf8.RuneError {
		return "***" + domain
	}
	return string(first) + "***" + domain
}

// MaskAddress keeps the city, province and country and hides the street
// lines and postal code.
func MaskAddress(a Address) Address {
	if a.IsZero() {
		return a
	}
	m := Address{City: a.City, Province: a.Province, Country: a.Country, Line1: "***"}
	if a.Line2 != "" {
		m.Line2 = "***"
	}
	if a.PostalCode != "" {
		m.PostalCode = "***"
	}
	return m
}
