package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// The load program runs end to end (briefly, in memory) and reports a line
// per client count with no failed requests.
func TestLoadProgramRuns(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(options{memory: true, clients: "1,2", duration: 300 * time.Millisecond, accounts: 4}, &out))
	require.Contains(t, out.String(), "transfers/s")
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	require.Len(t, lines, 4)
	require.Regexp(t, `^\s+2\s+\d+\s+\S+\s+\S+\s+0$`, string(lines[3]))
}

// A database that exists is used as it is and kept, whoever made it; one
// bankload creates it drops when done. Runs twice on the same database
// work, each with a customer of its own.
func TestLoadNeverDropsADatabaseItDidNotCreate(t *testing.T) {
	existing, dsn := pgtest.NewWithURL(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	name := strings.TrimPrefix(u.Path, "/")
	_, err = existing.Exec("CREATE TABLE precious (id int)")
	require.NoError(t, err)
	base := os.Getenv(pgtest.EnvURL)

	for range 2 {
		var out bytes.Buffer
		require.NoError(t, run(options{dbURL: base, dbName: name, clients: "1", duration: 100 * time.Millisecond, accounts: 2}, &out))
		require.Contains(t, out.String(), "HTTP/s")
	}
	var n int
	require.NoError(t, existing.Get(&n, "SELECT count(*) FROM precious"), "the database and its data are still there")

	scratch := name + "_scratch"
	var out bytes.Buffer
	require.NoError(t, run(options{dbURL: base, dbName: scratch, clients: "1", duration: 100 * time.Millisecond, accounts: 2, pgbench: true}, &out))
	admin, err := sqlx.Connect("postgres", base)
	require.NoError(t, err)
	defer admin.Close()
	var exists bool
	require.NoError(t, admin.GetContext(context.Background(), &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", scratch))
	require.False(t, exists, "the database bankload created is dropped")
	require.NoError(t, admin.GetContext(context.Background(), &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", scratch+"_pgbench"))
	require.False(t, exists, "so is pgbench's scratch database")
}

// On PostgreSQL one run prints, per client count, HTTP and the library
// side by side with their ratio, and pgbench's tps (or says why not).
func TestLoadComparesHTTPWithTheLibrary(t *testing.T) {
	_, dsn := pgtest.NewWithURL(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(options{dbURL: os.Getenv(pgtest.EnvURL), dbName: strings.TrimPrefix(u.Path, "/"), clients: "2",
		duration: 200 * time.Millisecond, accounts: 4, pgbench: true}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Contains(t, lines[len(lines)-2], "ratio")
	// clients, HTTP/s, p50, p99, library/s, p50, p99, ratio, pgbench, errors
	require.Regexp(t, `^\s+2\s+\d+\s+\S+ms\s+\S+ms\s+\d+\s+\S+ms\s+\S+ms\s+\d+\.\d\d\s+(\d+|-)\s+0$`, lines[len(lines)-1])
	if _, err := exec.LookPath("pgbench"); err == nil {
		require.NotRegexp(t, `-\s+0$`, lines[len(lines)-1], "pgbench is installed, so it ran")
	}
}

// The hand-built transfer body is the JSON the map form gave.
func TestTransferBodyIsTheJSONOfTheTransfer(t *testing.T) {
	for _, cents := range []int{1, 9, 10, 42, 99} {
		var got map[string]any
		require.NoError(t, json.Unmarshal(transferBody("a-1", "b-2", cents), &got))
		want := map[string]any{"from_account_id": "a-1", "to_account_id": "b-2",
			"amount": map[string]any{"value": fmt.Sprintf("0.%02d", cents), "currency": "CNY"}}
		require.Equal(t, want, got)
	}
}
