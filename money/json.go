package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MarshalJSON writes m as {"value":"12.30","currency":"CNY"}: the value is a
// JSON string with exactly the currency's decimal places, so no JSON reader
// ever turns the amount into a binary float. An invalid m is an error.
func (m Money) MarshalJSON() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"value":"`)
	b.WriteString(m.ValueString())
	b.WriteString(`","currency":"`)
	b.WriteString(string(m.Currency))
	b.WriteString(`"}`)
	return b.Bytes(), nil
}

// UnmarshalJSON reads {"value":"12.30","currency":"CNY"} strictly: both
// fields present, once each, no other field; the value a JSON string holding
// a plain decimal (no exponent, no JSON number) written with no more decimal
// places than the currency's minor unit ("12.3" is accepted and means 12.30;
// "12.300" is refused for CNY). JSON null is refused too: a field that may
// be absent should be a *Money.
//
// Errors wrap ErrInvalidAmount or ErrUnknownCurrency and name the field; on
// error m is unchanged.
func (m *Money) UnmarshalJSON(data []byte) error {
	value, currency, err := readMoneyObject(data)
	if err != nil {
		return err
	}
	c, err := ParseCurrency(currency)
	if err != nil {
		return fmt.Errorf("field %q: %w", "currency", err)
	}
	parsed, err := parseAmount(value, c)
	if err != nil {
		return fmt.Errorf("field %q: %w", "value", err)
	}
	*m = parsed
	return nil
}

// readMoneyObject walks the JSON tokens of a money object so that it can
// refuse duplicate, missing, misspelt and extra fields, which encoding/json's
// struct decoding would let through (it matches names case-insensitively and
// keeps the last duplicate).
func readMoneyObject(data []byte) (value, currency string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", "", fmt.Errorf("%w: want a JSON object {\"value\":...,\"currency\":...}", ErrInvalidAmount)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", "", fmt.Errorf("%w: malformed JSON: %v", ErrInvalidAmount, err)
		}
		key, _ := tok.(string)
		if key != "value" && key != "currency" {
			return "", "", fmt.Errorf("%w: unexpected field %q", ErrInvalidAmount, key)
		}
		if seen[key] {
			return "", "", fmt.Errorf("%w: field %q appears twice", fieldSentinel(key), key)
		}
		seen[key] = true
		tok, err = dec.Token()
		if err != nil {
			return "", "", fmt.Errorf("%w: field %q: malformed JSON: %v", fieldSentinel(key), key, err)
		}
		s, ok := tok.(string)
		if !ok {
			return "", "", fmt.Errorf("%w: field %q must be a JSON string, got %s", fieldSentinel(key), key, jsonKind(tok))
		}
		if key == "value" {
			value = s
		} else {
			currency = s
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return "", "", fmt.Errorf("%w: malformed JSON: %v", ErrInvalidAmount, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", "", fmt.Errorf("%w: data after the JSON object", ErrInvalidAmount)
	}
	for _, key := range []string{"value", "currency"} {
		if !seen[key] {
			return "", "", fmt.Errorf("%w: field %q is missing", fieldSentinel(key), key)
		}
	}
	return value, currency, nil
}

// fieldSentinel is the error a problem with the named field wraps.
func fieldSentinel(key string) error {
	if key == "currency" {
		return ErrUnknownCurrency
	}
	return ErrInvalidAmount
}

// jsonKind names the JSON type of a decoder token for error messages.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	case json.Delim:
		return "an object or array"
	}
	return fmt.Sprintf("%T", tok)
}
