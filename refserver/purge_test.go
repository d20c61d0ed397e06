package refserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// A remembered reply is kept for its retention and then deleted: the key
// replays (or refuses another request) for 48 hours, and is free after.
func TestRememberedRepliesArePurgedAfterTheirRetention(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
			cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Clock: clock,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
			if storage == "postgres" {
				_, cfg.DatabaseURL = pgtest.NewWithURL(t)
			}
			srv, err := New(context.Background(), cfg)
			require.NoError(t, err)
			t.Cleanup(func() { srv.Close() })
			b := &testBank{t: t, srv: srv, h: srv.Handler()}

			person := func(seq int) map[string]any {
				return map[string]any{"full_name": "李娜", "gender": "female", "date_of_birth": "1982-02-26",
					"national_id": map[string]any{"type": "PRC_RESIDENT_ID", "number": residentID("110105", "19820226", seq)},
					"phone":       "+8613700000000", "email": "li.na@example.com",
					"address": map[string]any{"line1": "长安街2号", "city": "北京市", "postal_code": "100000", "country": "CN"}}
			}
			b.must(http.StatusCreated, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "purger",
				"password": "correct horse battery", "roles": []string{"teller"}}))
			create := func(seq int) resp {
				// Log in each time: a staff session lasts less than the retention.
				token := b.must(http.StatusOK, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "purger",
					"password": "correct horse battery"})).str("token")
				return b.do("POST", "/v1/customers", token, person(seq), "Idempotency-Key", "customer-1")
			}
			b.must(http.StatusCreated, create(1))
			clock.Advance(replyRetention - time.Minute)
			stop := srv.startPurging(context.Background(), time.Millisecond)
			time.Sleep(20 * time.Millisecond) // a few purges
			require.Equal(t, "idempotency-key-reused", create(2).problemType(), "within the retention the key is still taken")
			stop()

			clock.Advance(2 * time.Minute)
			stop = srv.startPurging(context.Background(), time.Millisecond)
			defer stop()
			require.Eventually(t, func() bool { return create(2).status == http.StatusCreated },
				5*time.Second, 10*time.Millisecond, "after the retention the key is free")
		})
	}
}
