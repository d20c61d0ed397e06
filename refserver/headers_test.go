package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every answer carries the security headers, whatever route or error it
// comes from.
func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	for name, r := range map[string]resp{
		"health":       b.do("GET", "/healthz", "", nil),
		"openapi":      b.do("GET", "/openapi.json", "", nil),
		"metrics":      b.do("GET", "/metrics", "", nil),
		"api":          b.do("GET", "/v1/business-date", testAdminToken, nil),
		"token":        b.do("POST", "/v1/auth/token", "", map[string]any{"username": "nobody", "password": "not a real password"}),
		"unauthorized": b.do("GET", "/v1/business-date", "", nil),
		"no route":     b.do("GET", "/v1/nothing-here", testAdminToken, nil),
		"wrong method": b.do("DELETE", "/v1/deposits", testAdminToken, nil),
	} {
		require.Equal(t, "no-store", r.header.Get("Cache-Control"), name)
		require.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"), name)
		require.Equal(t, "no-referrer", r.header.Get("Referrer-Policy"), name)
		require.Equal(t, "default-src 'none'; frame-ancestors 'none'", r.header.Get("Content-Security-Policy"), name)
		require.Equal(t, "DENY", r.header.Get("X-Frame-Options"), name)
		require.Empty(t, r.header.Get("Strict-Transport-Security"), "%s: HSTS only over TLS", name)
	}
}

// bankWith is a memory bank on cfg's exposure settings.
func bankWith(t *testing.T, cfg Config) *testBank {
	t.Helper()
	cfg.Addr, cfg.AdminToken, cfg.PIIKeyring = "127.0.0.1:0", testAdminToken, testKeyring
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.passwordParams = &testPasswordParams
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &testBank{t: t, srv: srv, h: srv.Handler()}
}

const testMetricsToken = "bk_test_metrics_token_0123456789abcdef"

// /metrics is closed unless a scraper's token is configured or it is made
// public; a staff token does not open it.
func TestMetricsNeedTheirOwnTokenUnlessPublic(t *testing.T) {
	t.Parallel()
	closed := newBank(t, "memory")
	require.Equal(t, 401, closed.do("GET", "/metrics", "", nil).status)
	require.Equal(t, 401, closed.do("GET", "/metrics", testAdminToken, nil).status)

	scraped := bankWith(t, Config{MetricsToken: testMetricsToken})
	require.Equal(t, 401, scraped.do("GET", "/metrics", "", nil).status)
	require.Equal(t, 401, scraped.do("GET", "/metrics", testAdminToken, nil).status)
	require.Equal(t, 401, scraped.do("GET", "/metrics", testMetricsToken+"x", nil).status)
	require.Equal(t, 200, scraped.do("GET", "/metrics", testMetricsToken, nil).status)
	require.Equal(t, 401, scraped.do("GET", "/v1/business-date", testMetricsToken, nil).status, "the metrics token opens nothing else")

	public := bankWith(t, Config{MetricsPublic: true})
	require.Equal(t, 200, public.do("GET", "/metrics", "", nil).status)
}

// /openapi.json is public, as the contract says, unless made private:
// then any signed-in caller may read it.
func TestOpenAPICanBeMadePrivate(t *testing.T) {
	t.Parallel()
	require.Equal(t, 200, newBank(t, "memory").do("GET", "/openapi.json", "", nil).status)

	private := bankWith(t, Config{OpenAPIPrivate: true})
	require.Equal(t, 401, private.do("GET", "/openapi.json", "", nil).status)
	require.Equal(t, 200, private.do("GET", "/openapi.json", private.staff("analyst"), nil).status)
}

func TestExposureSettingsAreChecked(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"short metrics token":   {Addr: ":0", MetricsToken: "short"},
		"public with a token":   {Addr: ":0", MetricsToken: testMetricsToken, MetricsPublic: true},
		"metrics token = admin": {Addr: ":0", MetricsToken: testAdminToken, AdminToken: testAdminToken},
	} {
		_, err := New(context.Background(), cfg)
		require.ErrorContains(t, err, "metrics", name)
	}
}
