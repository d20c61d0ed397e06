package money_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
)

func TestValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    money.Money
		want string
	}{
		{money.MustParse("12.3", "CNY"), "12.30"},
		{money.MustParse("-5", "JPY"), "-5"},
		{money.MustParse("1", "BHD"), "1.000"},
	}
	for _, tt := range tests {
		v, err := tt.m.Value()
		require.NoError(t, err)
		require.Equal(t, tt.want, v)
	}
	_, err := money.Money{}.Value()
	require.ErrorIs(t, err, money.ErrUnknownCurrency)
	_, err = money.Money{Amount: dec("1.5"), Currency: money.JPY}.Value()
	require.ErrorIs(t, err, money.ErrInvalidAmount)
}

func TestScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		currency money.Currency // set before Scan, as the currency column would
		src      any
		want     string // ValueString after Scan
	}{
		{"bytes", money.CNY, []byte("12.30"), "12.30"},
		{"string", money.CNY, "12.3", "12.30"},
		{"int64", money.JPY, int64(-42), "-42"},
		{"wider NUMERIC scale", money.CNY, []byte("12.3000"), "12.30"},
		{"three places", money.BHD, []byte("0.125"), "0.125"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := money.Money{Currency: tt.currency}
			require.NoError(t, m.Scan(tt.src))
			require.Equal(t, tt.currency, m.Currency, "the currency is kept")
			require.Equal(t, tt.want, m.ValueString())
			require.True(t, m.Valid())
		})
	}
}

func TestScanWithoutCurrencySetsOnlyAmount(t *testing.T) {
	t.Parallel()
	var m money.Money
	require.NoError(t, m.Scan([]byte("1.2345")))
	require.Empty(t, m.Currency)
	require.True(t, m.Amount.Equal(dec("1.2345")))
}

func TestScanRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		currency money.Currency
		src      any
		want     error
	}{
		{"too many places", money.CNY, []byte("12.345"), money.ErrInvalidAmount},
		{"places for JPY", money.JPY, "1.5", money.ErrInvalidAmount},
		{"NULL", money.CNY, nil, money.ErrInvalidAmount},
		{"NaN", money.CNY, []byte("NaN"), money.ErrInvalidAmount},
		{"float", money.CNY, 1.5, money.ErrInvalidAmount},
		{"bool", money.CNY, true, money.ErrInvalidAmount},
		{"garbage", money.CNY, "12,30", money.ErrInvalidAmount},
		{"unknown currency set", "XYZ", "1", money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := money.Money{Amount: dec("7"), Currency: tt.currency}
			require.ErrorIs(t, m.Scan(tt.src), tt.want)
			require.True(t, m.Amount.Equal(dec("7")), "a failed Scan changes nothing")
			require.Equal(t, tt.currency, m.Currency)
		})
	}
}

// TestPostgresRoundTrip stores money in the two-column pattern the Value doc
// describes and reads it back through lib/pq.
func TestPostgresRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `CREATE TABLE balances (id INT PRIMARY KEY, amount NUMERIC(30,4) NOT NULL, currency TEXT NOT NULL)`)
	require.NoError(t, err)

	in := []money.Money{
		money.MustParse("1234.50", "CNY"),
		money.MustParse("-7", "JPY"),
		money.MustParse("0.125", "BHD"),
		money.MustParse("99999999999999999999.99", "USD"),
	}
	for i, m := range in {
		_, err := db.ExecContext(ctx, `INSERT INTO balances (id, amount, currency) VALUES ($1, $2, $3)`, i, m, m.Currency)
		require.NoError(t, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT currency, amount FROM balances ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []money.Money
	for rows.Next() {
		var m money.Money
		require.NoError(t, rows.Scan(&m.Currency, &m))
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	require.Len(t, out, len(in))
	for i := range in {
		require.True(t, in[i].Equal(out[i]), "row %d: stored %s, read %s", i, in[i], out[i])
		require.Equal(t, in[i].ValueString(), out[i].ValueString())
	}

	// SQL arithmetic on the NUMERIC column is exact: 1234.50 + 0.125 = 1234.625.
	var sum money.Money
	require.NoError(t, db.QueryRowContext(ctx, `SELECT SUM(amount) FROM balances WHERE id IN (0, 2)`).Scan(&sum))
	require.True(t, sum.Amount.Equal(dec("1234.625")))

	// A NULL needs sql.Null.
	var maybe sql.Null[money.Money]
	require.NoError(t, db.QueryRowContext(ctx, `SELECT NULL::numeric`).Scan(&maybe))
	require.False(t, maybe.Valid)
}
