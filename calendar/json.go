package calendar

import (
	"bytes"
	"fmt"
)

// MarshalJSON writes d as "YYYY-MM-DD". The zero Date, an unset date, is
// null (a field tagged `json:",omitzero"` is left out instead); any other
// date that is not Valid is an error.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string "YYYY-MM-DD" strictly (see ParseDate),
// or null as the zero Date. On error d is unchanged.
func (d *Date) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		*d = Date{}
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("%w: %s: want a JSON string \"YYYY-MM-DD\" or null", ErrInvalidDate, truncate(data))
	}
	parsed, err := ParseDate(string(data[1 : len(data)-1]))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// MarshalText writes d as "YYYY-MM-DD", and the zero Date as empty text.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "YYYY-MM-DD" strictly, and empty text as the zero
// Date. On error d is unchanged.
func (d *Date) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*d = Date{}
		return nil
	}
	parsed, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// truncate shortens bad input quoted in an error message.
func truncate(b []byte) string {
	const max = 40
	if len(b) > max {
		return fmt.Sprintf("%q...", b[:max])
	}
	return fmt.Sprintf("%q", b)
}
