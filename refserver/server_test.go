package refserver_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/refserver"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newServer(t *testing.T, cfg refserver.Config) *refserver.Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	cfg.Logger = quietLogger()
	cfg.ClearingDir = t.TempDir()
	cfg.PIIKeyring = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	srv, err := refserver.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv
}

func get(t *testing.T, h http.Handler, path string, header http.Header) (*http.Response, map[string]string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	return rec.Result(), body
}

func TestHealthAndReadinessInMemory(t *testing.T) {
	t.Parallel()
	h := newServer(t, refserver.Config{}).Handler()

	res, body := get(t, h, "/healthz", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "ok", body["status"])

	res, body = get(t, h, "/readyz", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "memory", body["storage"])
}

func TestReadinessOnPostgres(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	h := newServer(t, refserver.Config{DatabaseURL: url}).Handler()
	res, body := get(t, h, "/readyz", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "postgres", body["storage"])
}

func TestReadinessFailsWhenTheDatabaseIsGone(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	srv := newServer(t, refserver.Config{DatabaseURL: url})
	require.NoError(t, srv.Close())
	res, body := get(t, srv.Handler(), "/readyz", nil)
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "unavailable", body["status"])
}

func TestRequestIDIsEchoedOrCreated(t *testing.T) {
	t.Parallel()
	h := newServer(t, refserver.Config{}).Handler()
	res, _ := get(t, h, "/healthz", http.Header{"X-Request-Id": {"abc-123"}})
	require.Equal(t, "abc-123", res.Header.Get("X-Request-Id"))

	res, _ = get(t, h, "/healthz", http.Header{"X-Request-Id": {"bad id with spaces"}})
	require.NotEqual(t, "bad id with spaces", res.Header.Get("X-Request-Id"))
	require.Len(t, res.Header.Get("X-Request-Id"), 36, "a fresh UUID replaces an unusable id")
}

func TestConfigValidationNamesTheSetting(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		cfg  refserver.Config
		want string
	}{
		"address":      {refserver.Config{Addr: "8080"}, "listen address"},
		"database url": {refserver.Config{Addr: ":8080", DatabaseURL: "mysql://x"}, "database URL"},
		"timeout":      {refserver.Config{Addr: ":8080", ShutdownTimeout: -time.Second}, "shutdown timeout"},
	} {
		_, err := refserver.New(context.Background(), tc.cfg)
		require.ErrorContains(t, err, tc.want, name)
	}
}

func TestListenAndServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	srv := newServer(t, refserver.Config{Addr: addr})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()

	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 5*time.Second, 20*time.Millisecond)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop after its context was cancelled")
	}
	_, err = http.Get("http://" + addr + "/healthz")
	require.Error(t, err, "the server still accepts connections after shutdown")
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	const scraper = "bk_test_metrics_token_0123456789abcdef"
	h := newServer(t, refserver.Config{MetricsToken: scraper}).Handler()
	for range 3 {
		get(t, h, "/healthz", nil)
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+scraper)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Body.String(), `bankkit_http_requests_total{code="200",method="GET",route="GET /healthz"} 3`)
	require.Contains(t, rec.Body.String(), `bankkit_http_request_duration_seconds_bucket{method="GET",route="GET /healthz"`)
}
