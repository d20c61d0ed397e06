package pgledger

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
)

// notFound wraps ledger.ErrNotFound with what was missing.
func notFound(what string, id ledger.ID) error {
	return fmt.Errorf("%w: %s %s", ledger.ErrNotFound, what, id)
}

// noRows maps sql.ErrNoRows to err and leaves other errors as they are.
func noRows(err, missing error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missing
	}
	return err
}

// nullTime is the SQL form of an optional instant: the zero time is NULL.
func nullTime(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t, Valid: !t.IsZero()}
}

// fromNullTime reads an optional instant back, in UTC.
func fromNullTime(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// nullID is the SQL form of an optional ID: NilID is NULL.
func nullID(id ledger.ID) any {
	if id == ledger.NilID {
		return nil
	}
	return id
}

// nullString is the SQL form of an optional text: "" is NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseDate reads a DATE column selected as to_char(d, 'YYYY-MM-DD').
func parseDate(s string) (calendar.Date, error) {
	return calendar.ParseDate(s)
}

// sqlDate is the text form PostgreSQL reads as a DATE.
func sqlDate(d calendar.Date) string { return d.String() }

// stored returns t as PostgreSQL keeps it: timestamptz has microseconds,
// so a store that returned the nanoseconds it was given would hand back
// a different time on the next read.
func stored(t time.Time) time.Time {
	return t.Truncate(time.Microsecond)
}
