package refserver

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"
)

// unavailableRoutes are requests of every shape the API serves: public,
// read, money-moving with a key, and customer data.
func unavailableRoutes(b *testBank, teller, customerID, from, to string) map[string]func() resp {
	b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "teller-login", "password": "correct horse battery", "roles": []string{"teller"}}))
	return map[string]func() resp{
		"login": func() resp {
			return b.do("POST", "/v1/auth/token", "", map[string]any{"username": "teller-login", "password": "correct horse battery"})
		},
		"account":      func() resp { return b.do("GET", "/v1/accounts/"+from, teller, nil) },
		"customer":     func() resp { return b.do("GET", "/v1/customers/"+customerID, teller, nil) },
		"new customer": func() resp { return b.do("POST", "/v1/customers", teller, customerBody()) },
		"transfer": func() resp {
			return b.do("POST", "/v1/transfers", teller, map[string]any{"from_account_id": from, "to_account_id": to, "amount": cny("1.00")})
		},
	}
}

func requireUnavailable(t *testing.T, r resp) {
	t.Helper()
	require.Equal(t, 503, r.status, string(r.raw))
	require.Equal(t, "unavailable", r.problemType(), string(r.raw))
	require.NotEmpty(t, r.header.Get("Retry-After"), "a 503 says when to retry")
}

// A database connection dropped under a request (an administrator
// terminated the backend, as a failover or a restart does) never answers
// 500: database/sql re-runs a lone statement on a new connection, and what
// cannot be re-run answers 503 with Retry-After. The server serves again
// right after. Each request is held on a table lock until its backend is
// terminated, so the drop lands in the route's own statement.
func TestDroppedDatabaseConnectionsAnswer503(t *testing.T) {
	t.Parallel()
	b := newBank(t, "postgres")
	teller := b.staff("teller")
	alice := b.onboard(teller)
	from, to := b.openAccount(teller, alice), b.openAccount(teller, alice)
	b.must(201, b.do("POST", "/v1/deposits", teller, map[string]any{"account_id": from, "amount": cny("100.00")}))

	ctx := context.Background()
	admin, err := sqlx.Connect("postgres", b.srv.cfg.DatabaseURL)
	require.NoError(t, err)
	defer admin.Close()
	tables := map[string]string{"login": "channel.sessions", "account": "ledger.accounts", "transfer": "ledger.balances"}
	routes := unavailableRoutes(b, teller, alice, from, to)
	for name := range tables {
		send := routes[name]
		// Not in parallel: a lock held on a table stops every route using it.
		t.Run(name, func(t *testing.T) {
			send() // warm: the route's connections are open
			tx, err := admin.BeginTxx(ctx, nil)
			require.NoError(t, err)
			defer tx.Rollback()
			_, err = tx.ExecContext(ctx, "LOCK TABLE "+tables[name]+" IN ACCESS EXCLUSIVE MODE")
			require.NoError(t, err)
			got := make(chan resp, 1)
			go func() { got <- send() }()
			for terminated := 0; terminated == 0; {
				require.Empty(t, got, "the request did not wait for %s", tables[name])
				require.NoError(t, admin.GetContext(ctx, &terminated, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'`))
				time.Sleep(5 * time.Millisecond)
			}
			require.NoError(t, tx.Rollback())
			if r := <-got; r.status >= 500 {
				requireUnavailable(t, r)
			}
			r := send()
			require.Less(t, r.status, 500, "the server serves again once its connection is replaced: %s", r.raw)
		})
	}
}

// A closed connection pool answers 503 with Retry-After on every route.
func TestClosedPoolAnswers503(t *testing.T) {
	t.Parallel()
	b := newBank(t, "postgres")
	teller := b.staff("teller")
	alice := b.onboard(teller)
	from, to := b.openAccount(teller, alice), b.openAccount(teller, alice)
	routes := unavailableRoutes(b, teller, alice, from, to)
	require.NoError(t, b.srv.db.Close())
	for name, send := range routes {
		t.Run(name, func(t *testing.T) { requireUnavailable(t, send()) })
	}
}
