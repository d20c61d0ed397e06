package money

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Value implements driver.Valuer: m's amount as a fixed-places decimal
// string ("12.30") for a NUMERIC column. An invalid m is an error.
//
// bankkit stores money in two columns, the amount as NUMERIC and the currency
// as text beside it (amount NUMERIC NOT NULL, currency TEXT NOT NULL), so
// that SQL can sum and compare amounts. Write both:
//
//	db.Exec(`INSERT INTO t (amount, currency) VALUES ($1, $2)`, m, m.Currency)
//
// and read the currency first, so that Scan can check the amount against it:
//
//	var m money.Money
//	row.Scan(&m.Currency, &m) // SELECT currency, amount FROM t
func (m Money) Value() (driver.Value, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.ValueString(), nil
}

// Scan implements sql.Scanner for a NUMERIC column, given by the driver as a
// string, []byte or int64. It sets Amount and keeps the Currency already in
// m, since the currency lives in its own column (see Value). When m has a
// currency, the amount must fit its minor unit ("12.3000" fits CNY, "12.345"
// does not) and is stored with exactly its decimal places. NULL, floats and
// NaN are errors wrapping ErrInvalidAmount; on error m is unchanged.
func (m *Money) Scan(src any) error {
	var amount decimal.Decimal
	switch v := src.(type) {
	case int64:
		amount = decimal.NewFromInt(v)
	case string:
		d, err := parsePlainDecimal(strings.TrimSpace(v))
		if err != nil {
			return err
		}
		amount = d
	case []byte:
		d, err := parsePlainDecimal(strings.TrimSpace(string(v)))
		if err != nil {
			return err
		}
		amount = d
	case nil:
		return fmt.Errorf("%w: cannot scan NULL into Money (use sql.Null[Money])", ErrInvalidAmount)
	default:
		return fmt.Errorf("%w: cannot scan %T into Money", ErrInvalidAmount, src)
	}
	if m.Currency == "" {
		m.Amount = amount
		return nil
	}
	scanned, err := New(amount, m.Currency)
	if err != nil {
		return err
	}
	m.Amount = scanned.Amount.Truncate(m.Currency.MinorUnits())
	return nil
}
