package iso20022

import (
	"strconv"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// maxAmountDigits is the standard's limit on the digits of an amount
// (totalDigits 18); it also keeps a hostile amount from being a megabyte long.
const maxAmountDigits = 18

// amountXML is an amount element such as <Amt Ccy="EUR">12.30</Amt>.
type amountXML struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

func amountToXML(m money.Money) *amountXML {
	return &amountXML{Ccy: string(m.Currency), Value: m.ValueString()}
}

// parseAmount reads an amount against its Ccy attribute. Amounts are never
// negative in ISO 20022 (a debit is a CdtDbtInd, not a sign); positive also
// refuses zero. More decimal places than the currency's minor unit, an
// unknown currency or a missing Ccy are errors.
func parseAmount(path string, a *amountXML, positive bool) (money.Money, error) {
	if a == nil {
		return money.Money{}, invalid(path, "missing")
	}
	ccy := strings.TrimSpace(a.Ccy)
	if ccy == "" {
		return money.Money{}, invalid(path, "Ccy attribute missing")
	}
	value := strings.TrimSpace(a.Value)
	if digits(value) > maxAmountDigits {
		return money.Money{}, invalid(path, "amount has more than %d digits", maxAmountDigits)
	}
	m, err := money.Parse(value, ccy)
	if err != nil {
		return money.Money{}, invalid(path, "%w", err)
	}
	return normalized(m), checkAmount(path, m, positive)
}

// normalized gives m the currency's exponent, so that "1.7" and "1.70" EUR
// read into the same value and compare equal as structs, not only with
// money.Equal. m must fit the currency's minor unit; nothing is rounded.
func normalized(m money.Money) money.Money {
	m.Amount = m.Amount.Round(m.Currency.MinorUnits())
	return m
}

// checkAmount holds an amount to the standard: a valid currency, its minor
// unit, not negative, and with positive not zero either.
func checkAmount(path string, m money.Money, positive bool) error {
	if m == (money.Money{}) {
		return invalid(path, "missing")
	}
	if !m.Valid() {
		if !m.Currency.Valid() {
			return invalid(path, "%w: %q", money.ErrUnknownCurrency, string(m.Currency))
		}
		return invalid(path, "%w: %s has more than %d decimal places", money.ErrInvalidAmount, m.Amount, m.Currency.MinorUnits())
	}
	if m.IsNegative() {
		return invalid(path, "amount %s is negative", m.ValueString())
	}
	if positive && m.IsZero() {
		return invalid(path, "amount must be greater than zero")
	}
	if digits(m.ValueString()) > maxAmountDigits {
		return invalid(path, "amount has more than %d digits", maxAmountDigits)
	}
	return nil
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// parseDate reads an ISODate (YYYY-MM-DD).
func parseDate(path, s string) (calendar.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return calendar.Date{}, invalid(path, "missing")
	}
	d, err := calendar.ParseDate(s)
	if err != nil || !d.Valid() {
		return calendar.Date{}, invalid(path, "%q is not a date YYYY-MM-DD", s)
	}
	return d, nil
}

// parseDateTime reads an ISODateTime: YYYY-MM-DDThh:mm:ss with optional
// fractional seconds and an optional zone (Z or ±hh:mm). A time without a
// zone is local to the sender, who does not say where; it is read as UTC.
func parseDateTime(path, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, invalid(path, "missing")
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
			return t, nil
		}
	}
	return time.Time{}, invalid(path, "%q is not a date and time YYYY-MM-DDThh:mm:ss", s)
}

// formatDateTime writes t as an ISODateTime with its zone offset, keeping
// fractional seconds only when t has them.
func formatDateTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

// checkDateTime holds a time bankkit writes to what parseDateTime reads back.
func checkDateTime(path string, t time.Time) error {
	if t.IsZero() {
		return invalid(path, "missing")
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return invalid(path, "year %d is outside 1..9999", t.Year())
	}
	if _, offset := t.Zone(); offset%60 != 0 {
		return invalid(path, "zone offset of %ds is not whole minutes", offset)
	}
	return nil
}

// dateChoiceXML is a date that may be given as a day or a moment:
// <Dt>2026-11-27</Dt> or <DtTm>2026-11-27T10:00:00+08:00</DtTm>.
type dateChoiceXML struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

// parseDateChoice reads a date choice; the date of a DtTm is the day it
// names in its own zone. A missing optional element is the zero Date.
func parseDateChoice(path string, c *dateChoiceXML, required bool) (calendar.Date, error) {
	switch {
	case c == nil && required:
		return calendar.Date{}, invalid(path, "missing")
	case c == nil:
		return calendar.Date{}, nil
	case strings.TrimSpace(c.Dt) != "":
		return parseDate(path+"/Dt", c.Dt)
	case strings.TrimSpace(c.DtTm) != "":
		t, err := parseDateTime(path+"/DtTm", c.DtTm)
		return calendar.DateOf(t), err
	}
	return calendar.Date{}, invalid(path, "missing Dt or DtTm")
}

// parseCount reads a Max15NumericText count such as NbOfTxs.
func parseCount(path, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, invalid(path, "missing")
	}
	if len(s) > 15 || digits(s) != len(s) {
		return 0, invalid(path, "%q is not a count of up to 15 digits", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, invalid(path, "%q: %w", s, err)
	}
	return n, nil
}
