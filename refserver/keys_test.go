package refserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// A keyring that cannot open the stored customer data stops the server at
// start, naming the key, instead of answering 500 to every customer read,
// finding no phone and registering a national id twice.
func TestServerRefusesAKeyringThatDoesNotOpenTheData(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	start := func(keyring string) (*Server, error) {
		return New(context.Background(), Config{Addr: "127.0.0.1:0", DatabaseURL: url, AdminToken: testAdminToken,
			PIIKeyring: keyring, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
	}
	srv, err := start(testKeyring)
	require.NoError(t, err)
	b := &testBank{t: t, srv: srv, h: srv.Handler()}
	teller := b.staff("teller")
	id := b.onboard(teller)
	require.NoError(t, srv.Close())

	const (
		k1    = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
		index = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
		other = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
	)
	for _, tt := range []struct{ name, keyring, want string }{
		{"another k1", "k1:" + other + ",index:" + index, `key "k1" is not the key first used under that id`},
		{"k1 missing", "k2:" + k1 + ",index:" + index, `key "k1" seals stored customer data but is not in the keyring`},
		{"another index key", "k1:" + k1 + ",index:" + other, "the index key is not the one the blind indexes were computed with"},
	} {
		srv, err := start(tt.keyring)
		if err == nil {
			srv.Close()
		}
		require.ErrorContains(t, err, tt.want, tt.name)
	}

	srv, err = start(testKeyring)
	require.NoError(t, err, "the right keyring still starts")
	t.Cleanup(func() { srv.Close() })
	b = &testBank{t: t, srv: srv, h: srv.Handler()}
	b.must(http.StatusOK, b.do("GET", "/v1/customers/"+id, teller, nil))
	list := b.must(http.StatusOK, b.do("GET", "/v1/customers", teller, nil))
	require.Len(t, list.body["items"], 1)
}
