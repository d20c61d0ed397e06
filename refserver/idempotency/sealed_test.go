package idempotency_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

func newSealer(t *testing.T) *customer.Sealer {
	t.Helper()
	key := func(c string) string {
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(c, customer.KeySize)))
	}
	keys, err := customer.ParseKeyring("k1:" + key("a") + ",index:" + key("i"))
	require.NoError(t, err)
	svc, err := customer.NewService(memcustomer.New(), keys)
	require.NoError(t, err)
	return svc.Sealer("refserver/idempotency-reply")
}

// A sealed store keeps no body in clear, and a sealed body moved to
// another key's record does not open there.
func TestSealedBodiesAreEncryptedAndBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, idempotency.Migrate(ctx, db))
	s := idempotency.Sealed(newPostgresOn(t, db), newSealer(t))
	secret := idempotency.Response{Status: 400, Header: http.Header{"Content-Type": {"application/problem+json"}},
		Body: []byte(`{"detail":"1988-11-24 differs from the birth date 1988-11-23 in the national id"}`)}
	for _, key := range []string{"a", "b"} {
		_, err := s.Begin(ctx, key, fpA, t0, lease)
		require.NoError(t, err)
		require.NoError(t, s.Complete(ctx, key, secret, t0))
	}
	got, err := s.Begin(ctx, "a", fpA, t0, lease)
	require.NoError(t, err)
	require.Equal(t, &secret, got)

	var body []byte
	require.NoError(t, db.GetContext(ctx, &body, `SELECT body FROM refserver.idempotency_keys WHERE key = 'a'`))
	require.NotContains(t, string(body), "1988")
	_, err = db.ExecContext(ctx, `UPDATE refserver.idempotency_keys SET body = $1 WHERE key = 'b'`, body)
	require.NoError(t, err)
	_, err = s.Begin(ctx, "b", fpA, t0, lease)
	require.ErrorIs(t, err, customer.ErrCorrupt)
}
