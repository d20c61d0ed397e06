package pgchannel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
)

func newDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgchannel.Migrate(context.Background(), db))
	return db
}

func TestContract(t *testing.T) {
	t.Parallel()
	channeltest.Run(t, func(t *testing.T) channel.Store { return pgchannel.New(newDB(t)) })
}

func TestOnlineContract(t *testing.T) {
	t.Parallel()
	channeltest.RunOnline(t, func(t *testing.T) channel.OnlineStore { return pgchannel.New(newDB(t)) })
}

func TestNotificationsContract(t *testing.T) {
	t.Parallel()
	channeltest.RunNotifications(t, func(t *testing.T) channel.NotificationStore { return pgchannel.New(newDB(t)) })
}

func TestContactContract(t *testing.T) {
	t.Parallel()
	channeltest.RunContact(t, func(t *testing.T) channel.ContactStore { return pgchannel.New(newDB(t)) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	require.NoError(t, pgchannel.Migrate(context.Background(), db))
	var tables []string
	require.NoError(t, db.Select(&tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'channel' ORDER BY table_name`))
	require.Equal(t, []string{"agents", "atm_replenishments", "atm_tickets", "atm_withdrawals", "atms", "day_reports", "devices", "identities", "limit_reservations", "limit_usage", "limits", "messages",
		"notification_preferences", "payees", "schema_migrations", "second_factors", "sessions", "step_ups",
		"ticket_notes", "ticket_verifications", "tickets"}, tables)
}

// TestRowsHoldNoSecrets reads every column of every row back as text and
// checks that neither the password nor the token appears anywhere.
func TestRowsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	svc, err := channel.NewService(pgchannel.New(db), channel.WithParams(channeltest.FastParams),
		channel.WithClock(calendar.NewManualClock(channeltest.Start)))
	require.NoError(t, err)
	const password = "never store me in clear"
	_, err = svc.CreateCustomerLogin(ctx, channel.NewCustomerLogin{CustomerID: "c-1", Username: "secret.keeper", Password: password})
	require.NoError(t, err)
	g, err := svc.Login(ctx, "secret.keeper", password)
	require.NoError(t, err)
	tokenBody := strings.TrimPrefix(g.Token, channel.TokenPrefix)

	for _, table := range []string{"channel.identities", "channel.sessions"} {
		var rows []string
		require.NoError(t, db.Select(&rows, `SELECT t::text FROM `+table+` t`))
		require.NotEmpty(t, rows, table)
		for _, row := range rows {
			require.NotContains(t, row, password, table)
			require.NotContains(t, row, tokenBody, table)
		}
	}
	var phc string
	require.NoError(t, db.Get(&phc, `SELECT credential FROM channel.identities`))
	require.True(t, strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$"), phc)
}

// TestAsyncReservationsStayInTheirStatement reserves with asynchronous
// commit on a one-connection pool, then reads the setting back on that
// connection: it is on again, so nothing else the store does commits
// without waiting for the flush.
func TestAsyncReservationsStayInTheirStatement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	db.SetMaxOpenConns(1)
	svc, err := channel.NewOnline(pgchannel.New(db, pgchannel.AsyncReservations()))
	require.NoError(t, err)
	_, err = svc.ReserveLimits(ctx, "alice", channel.ChannelOnline, "k-1", money.MustParse("10.00", "CNY"), "")
	require.NoError(t, err)
	_, err = svc.ReserveLimits(ctx, "alice", channel.ChannelOnline, "k-2", money.MustParse("50000.01", "CNY"), "")
	require.ErrorIs(t, err, channel.ErrLimitExceeded)
	var setting string
	require.NoError(t, db.Get(&setting, `SHOW synchronous_commit`))
	require.Equal(t, "on", setting)
	var ten bool
	require.NoError(t, db.Get(&ten, `SELECT day_used = 10 FROM channel.limit_usage`))
	require.True(t, ten, "the 10.00 counted, the refused 50,000.01 not")
}
