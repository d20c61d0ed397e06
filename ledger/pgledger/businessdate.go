package pgledger

import (
	"context"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// BusinessDate implements ledger.Store.
func (s *Store) BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error) {
	text, err := s.readBusinessDate(ctx)
	if err == nil {
		return parseDate(text)
	}
	if noRows(err, nil) != nil {
		return calendar.Date{}, err
	}
	if !initial.Valid() {
		return calendar.Date{}, fault.Field(ledger.ErrInvalidInput, "business_date", "the initial business date is not a valid date")
	}
	err = s.db.GetContext(ctx, &text, `WITH first AS (
			INSERT INTO ledger.business_date (business_date) VALUES ($1::date)
			ON CONFLICT (singleton) DO NOTHING RETURNING business_date)
		SELECT to_char(business_date, 'YYYY-MM-DD') FROM first
		UNION ALL
		SELECT to_char(business_date, 'YYYY-MM-DD') FROM ledger.business_date
		LIMIT 1`, sqlDate(initial))
	if err != nil {
		return calendar.Date{}, err
	}
	return parseDate(text)
}
