package calendar

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Value implements driver.Valuer for a DATE column: the "YYYY-MM-DD" string,
// or NULL for the zero Date. A date that is not Valid is an error.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	if !d.Valid() {
		return nil, fmt.Errorf("%w: %04d-%02d-%02d", ErrInvalidDate, d.Year, int(d.Month), d.Day)
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for a DATE column. A time.Time gives its year,
// month and day as written, in its own location, with no conversion: drivers
// hand a DATE back as midnight in UTC or in the session's zone, and
// converting it could move the day. Text is read with ParseDate; NULL is the
// zero Date. On error d is unchanged.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		parsed := DateOf(v)
		if !parsed.Valid() {
			return fmt.Errorf("%w: %s is outside years 1..9999", ErrInvalidDate, v.Format(time.DateOnly))
		}
		*d = parsed
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("%w: cannot scan %T into Date", ErrInvalidDate, src)
}

func (d *Date) scanText(s string) error {
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}
