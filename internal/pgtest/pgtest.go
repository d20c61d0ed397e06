// Package pgtest gives each test a brand-new PostgreSQL database, so test
// packages can run in parallel without sharing state.
//
// The server comes from BANKKIT_TEST_DATABASE_URL (a postgres:// URL or a
// key=value connection string). Without it the test is skipped with a
// message saying how to enable it, unless BANKKIT_REQUIRE_DB=1, when a
// missing database is a failure: CI sets both.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver the backends use
)

// EnvURL and EnvRequire are the environment variables pgtest reads.
const (
	EnvURL     = "BANKKIT_TEST_DATABASE_URL"
	EnvRequire = "BANKKIT_REQUIRE_DB"
)

// MaxOpenConns bounds each test database's pool, so that many test packages
// running at once stay under the server's max_connections.
const MaxOpenConns = 16

// New creates a fresh database, opens it, and drops it when t ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db, _ := NewWithURL(t)
	return db
}

// NewWithURL is New that also returns the new database's connection string,
// for tests that start a separate process (a server) against it.
func NewWithURL(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("pgtest: %s=1 but %s is not set", EnvRequire, EnvURL)
		}
		t.Skipf("pgtest: PostgreSQL tests skipped; set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run them", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", EnvURL, err)
	}
	defer admin.Close()

	name := "bankkit_test_" + randomSuffix(t)
	if err := createDatabase(ctx, admin, name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	dsn, err := WithDatabase(base, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	db, err := sqlx.ConnectContext(ctx, "postgres", dsn)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", name, err)
	}
	db.SetMaxOpenConns(MaxOpenConns)
	db.SetMaxIdleConns(MaxOpenConns) // the default (2) closes and reopens connections under any concurrency
	t.Cleanup(func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := sqlx.ConnectContext(ctx, "postgres", base)
		if err != nil {
			t.Errorf("pgtest: reconnect to drop %s: %v", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return db, dsn
}

// createDatabase retries briefly when the template database is busy, which
// happens when several packages create their databases at the same moment.
func createDatabase(ctx context.Context, admin *sqlx.DB, name string) error {
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if _, err = admin.ExecContext(ctx, "CREATE DATABASE "+name); err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return err
}

// WithDatabase returns the connection string base pointed at database name.
func WithDatabase(base, name string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", EnvURL, err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return base + " dbname=" + name, nil
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
