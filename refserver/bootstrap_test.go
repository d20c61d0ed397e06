package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// logBuffer is a logger's output, safe to read while the server writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines returns the JSON log lines whose message is msg.
func (l *logBuffer) lines(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// startLogged starts a server on cfg and returns it with its log.
func startLogged(t *testing.T, cfg Config) (*testBank, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg.Addr = "127.0.0.1:0"
	cfg.PIIKeyring = testKeyring
	cfg.ClearingDir = t.TempDir()
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	cfg.passwordParams = &testPasswordParams
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err, "log:\n%s", logs.buf.String())
	t.Cleanup(func() { srv.Close() })
	return &testBank{t: t, srv: srv, h: srv.Handler()}, logs
}

// issuedAdminToken is the bootstrap token a start logged.
func issuedAdminToken(t *testing.T, logs *logBuffer) string {
	t.Helper()
	lines := logs.lines(bootstrapIssued)
	require.Len(t, lines, 1, "one bootstrap token per start")
	token, _ := lines[0]["admin_token"].(string)
	require.NotEmpty(t, token)
	return token
}

// Each start on a database issues a bootstrap token that lives an hour and
// ends the one the start before it printed.
func TestEachStartRevokesThePreviousBootstrapToken(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	first, logs := startLogged(t, Config{DatabaseURL: url})
	before := issuedAdminToken(t, logs)
	first.must(200, first.do("GET", "/v1/business-date", before, nil))
	require.NoError(t, first.srv.Close())

	second, logs := startLogged(t, Config{DatabaseURL: url})
	after := issuedAdminToken(t, logs)
	require.NotEqual(t, before, after)
	second.must(401, second.do("GET", "/v1/business-date", before, nil))
	second.must(200, second.do("GET", "/v1/business-date", after, nil))

	p, err := second.srv.channel.Authenticate(context.Background(), after)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), p.ExpiresAt, time.Minute, "an hour by default")

	// It is for creating the real staff, who log in with passwords.
	second.must(201, second.do("POST", "/v1/staff", after, map[string]any{"username": "first.admin", "password": "a long admin password", "roles": []string{"admin"}}))
	second.must(200, second.do("POST", "/v1/auth/token", "", map[string]any{"username": "first.admin", "password": "a long admin password"}))
}

// A configured token that was logged out (or has expired) stays dead, and
// the next start goes on without a bootstrap token instead of failing.
func TestALoggedOutAdminTokenDoesNotStopTheNextStart(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	first, _ := startLogged(t, Config{DatabaseURL: url, AdminToken: testAdminToken})
	first.must(204, first.do("POST", "/v1/auth/logout", testAdminToken, nil))
	require.NoError(t, first.srv.Close())

	second, logs := startLogged(t, Config{DatabaseURL: url, AdminToken: testAdminToken})
	second.must(401, second.do("GET", "/v1/business-date", testAdminToken, nil))
	require.Len(t, logs.lines(bootstrapSpent), 1, "the log says why there is no bootstrap token")

	// Without one configured, the next start issues a fresh token.
	third, logs := startLogged(t, Config{DatabaseURL: url})
	third.must(200, third.do("GET", "/v1/business-date", issuedAdminToken(t, logs), nil))
}

// A configured admin token lives the bootstrap TTL too, not for years.
func TestTheAdminTokenExpires(t *testing.T) {
	t.Parallel()
	clock := calendar.NewManualClock(time.Now())
	b, _ := startLogged(t, Config{AdminToken: testAdminToken, BootstrapTokenTTL: 10 * time.Minute, Clock: clock})
	b.must(200, b.do("GET", "/v1/business-date", testAdminToken, nil))
	clock.Advance(10 * time.Minute)
	b.must(401, b.do("GET", "/v1/business-date", testAdminToken, nil))
}

// A negative TTL issues no bootstrap token and still ends the earlier ones:
// for a bank whose staff are all set up.
func TestBootstrapTokensCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	_, url := pgtest.NewWithURL(t)
	first, logs := startLogged(t, Config{DatabaseURL: url})
	token := issuedAdminToken(t, logs)
	require.NoError(t, first.srv.Close())

	second, logs := startLogged(t, Config{DatabaseURL: url, BootstrapTokenTTL: -1})
	require.Empty(t, logs.lines(bootstrapIssued))
	second.must(401, second.do("GET", "/v1/business-date", token, nil))
}

func TestBootstrapTokenTTLIsBounded(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"longer than a staff login": {Addr: ":0", BootstrapTokenTTL: 9 * time.Hour},
		"a token with none issued":  {Addr: ":0", BootstrapTokenTTL: -1, AdminToken: testAdminToken},
	} {
		_, err := New(context.Background(), cfg)
		require.ErrorContains(t, err, "bootstrap token", name)
	}
}
