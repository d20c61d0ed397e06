package calendar_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func TestDateValue(t *testing.T) {
	t.Parallel()
	v, err := d("2026-10-01").Value()
	require.NoError(t, err)
	require.Equal(t, "2026-10-01", v)
	v, err = calendar.Date{}.Value()
	require.NoError(t, err)
	require.Nil(t, v, "the zero Date is NULL")
	_, err = calendar.Date{Year: 2026, Month: 2, Day: 29}.Value()
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
}

func TestDateScan(t *testing.T) {
	t.Parallel()
	// 2026-10-01 midnight in UTC+14 is 2026-09-30 in UTC: Scan takes the day
	// as written, never converting.
	kiritimati := time.FixedZone("UTC+14", 14*3600)
	tests := []struct {
		name string
		src  any
		want calendar.Date
	}{
		{"time in UTC", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), d("2026-10-01")},
		{"time in a far zone", time.Date(2026, 10, 1, 0, 0, 0, 0, kiritimati), d("2026-10-01")},
		{"string", "2024-02-29", d("2024-02-29")},
		{"bytes", []byte("2026-10-08"), d("2026-10-08")},
		{"NULL", nil, calendar.Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d("2000-01-01")
			require.NoError(t, got.Scan(tt.src))
			require.Equal(t, tt.want, got)
		})
	}
	for _, src := range []any{"", "infinity", []byte("2026-02-30"), int64(20261001), 1.5, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		got := d("2000-01-01")
		require.ErrorIs(t, got.Scan(src), calendar.ErrInvalidDate, "%v", src)
		require.Equal(t, d("2000-01-01"), got, "a failed Scan changes nothing")
	}
}

// TestDatePostgresRoundTrip writes dates to a DATE column and reads them
// back with the session in a zone far from UTC.
func TestDatePostgresRoundTrip(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, stmt := range []string{
		`SET TIME ZONE 'Pacific/Kiritimati'`,
		`CREATE TABLE due (id INT PRIMARY KEY, on_date DATE)`,
	} {
		_, err := conn.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	in := []calendar.Date{d("2026-10-01"), d("2024-02-29"), d("0001-01-01"), d("9999-12-31"), {}}
	for i, date := range in {
		_, err := conn.ExecContext(ctx, `INSERT INTO due (id, on_date) VALUES ($1, $2)`, i, date)
		require.NoError(t, err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT on_date FROM due ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []calendar.Date
	for rows.Next() {
		var date calendar.Date
		require.NoError(t, rows.Scan(&date))
		out = append(out, date)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, in, out)

	// SQL sees a real date: the day after 2024-02-28 is the leap day.
	var next calendar.Date
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT $1::date + 1`, d("2024-02-28")).Scan(&next))
	require.Equal(t, d("2024-02-29"), next)
}
