package pgcustomer_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/customertest"
	"github.com/bankkit/bankkit/customer/pgcustomer"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func newStore(t *testing.T) (*pgcustomer.Store, *sqlx.DB) {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgcustomer.Migrate(context.Background(), db))
	return pgcustomer.New(db), db
}

// tamperable lets the contract suite rewrite an access-log row, as a
// database administrator could.
type tamperable struct {
	*pgcustomer.Store
	db *sqlx.DB
}

func (s tamperable) TamperAccessLog(ctx context.Context, seq int64, fn func(*customer.AccessEntry)) error {
	entries, err := s.AccessLog(ctx, seq-1, 1)
	if err != nil {
		return err
	}
	if len(entries) != 1 || entries[0].Seq != seq {
		return fmt.Errorf("no access-log entry %d", seq)
	}
	e := entries[0]
	fn(&e)
	fields := make(pq.StringArray, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = string(f)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE customer.access_log SET at = $2, actor = $3, customer_id = $4, fields = $5,
		reason = $6, prev_hash = $7, hash = $8 WHERE seq = $1`, seq, e.At, e.Actor, e.CustomerID, fields, e.Reason, e.PrevHash, e.Hash)
	return err
}

// ForgetKeyChecks leaves the database as one written before key checks.
func (s tamperable) ForgetKeyChecks(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM customer.key_checks`)
	return err
}

func TestContract(t *testing.T) {
	customertest.Run(t, func(t *testing.T) customer.Store {
		s, db := newStore(t)
		return tamperable{Store: s, db: db}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	_, db := newStore(t)
	require.NoError(t, pgcustomer.Migrate(context.Background(), db))
}

// A stolen dump of the customer schema reveals no personal data: every
// column of every table, read as text, holds none of the values given.
func TestRawRowsHoldNoPlaintextPII(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, db := newStore(t)
	enc := func(c string) string {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, customer.KeySize)))
	}
	keys, err := customer.ParseKeyring("k1:" + enc("a") + ",index:" + enc("i"))
	require.NoError(t, err)
	svc, err := customer.NewService(s, keys)
	require.NoError(t, err)
	c, err := svc.Create(ctx, customer.NewCustomer{
		FullName: "张三", Gender: customer.GenderMale, DateOfBirth: calendar.MustParseDate("1949-12-31"),
		NationalID: customer.NationalID{Type: customer.PRCResidentID, Number: "11010519491231002X"},
		Phones:     []string{"+8613812345678", "+8613987654321"}, Email: "zhang.san@example.com",
		Address: customer.Address{Line1: "长安街1号", City: "北京", PostalCode: "100000", Country: "CN"},
	})
	require.NoError(t, err)
	_, err = svc.AddDocument(ctx, c.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "E98765432",
		IssuingCountry: "CN", IssuedOn: calendar.MustParseDate("2020-01-01")})
	require.NoError(t, err)
	_, _, err = svc.Reveal(ctx, "teller", c.ID, customer.AllFields, "dump test")
	require.NoError(t, err)
	_, err = svc.GrantConsent(ctx, c.ID, customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Source: "app"})
	require.NoError(t, err)

	var tables []string
	require.NoError(t, db.SelectContext(ctx, &tables, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'customer'`))
	require.Contains(t, tables, "customers")
	var dump strings.Builder
	for _, table := range tables {
		var rows []string
		require.NoError(t, db.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT t::text FROM customer.%s t`, pq.QuoteIdentifier(table))))
		for _, r := range rows {
			dump.WriteString(r + "\n")
		}
	}
	text := dump.String()
	require.Contains(t, text, "张三", "the dump really holds the customer row (the name is clear by design)")
	for _, secret := range []string{"11010519491231002X", "13812345678", "13987654321", "zhang.san", "example.com",
		"长安街", "100000", "1949-12-31", "19491231", "E98765432"} {
		require.NotContains(t, text, secret)
		// bytea prints as hex: look for the hex of the secret too.
		require.NotContains(t, text, fmt.Sprintf("%x", secret))
	}
}
