// Command auditverify walks the reference server's staff audit trail on
// PostgreSQL and checks its hash chain: every record's hash over its
// content and the hash before it, the sequence without gaps, and the last
// record against the head the server recorded apart. It prints the result
// as JSON and exits 0 when the chain holds, 1 when it is broken (naming the
// first record that breaks it), 2 when it could not check.
//
//	go run ./refserver/cmd/auditverify -database-url postgres://postgres@127.0.0.1:5432/bank?sslmode=disable
//
// It only reads: it applies no migration and changes nothing. The same
// check is GET /v1/audit/verify (admin, auditor).
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver

	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// errBroken is the chain failing verification (exit status 1).
var errBroken = errors.New("the audit chain is broken")

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("auditverify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("database-url", "", "the reference server's PostgreSQL URL (env BANKKIT_DATABASE_URL)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *url == "" {
		*url = getenv("BANKKIT_DATABASE_URL")
	}
	if *url == "" {
		fmt.Fprintln(stderr, "auditverify: set -database-url or BANKKIT_DATABASE_URL")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	v, err := verify(ctx, *url)
	if err != nil {
		fmt.Fprintln(stderr, "auditverify:", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{"ok": v.OK, "checked": v.Checked, "head": v.Head, "head_hash": hex.EncodeToString(v.HeadHash), "broken_at": v.BrokenAt, "reason": v.Reason})
	if !v.OK {
		fmt.Fprintf(stderr, "auditverify: %v at record %d: %s\n", errBroken, v.BrokenAt, v.Reason)
		return 1
	}
	return 0
}

func verify(ctx context.Context, url string) (oprisk.Verification, error) {
	db, err := sqlx.ConnectContext(ctx, "postgres", url)
	if err != nil {
		return oprisk.Verification{}, err
	}
	defer db.Close()
	svc, err := oprisk.NewService(pgoprisk.New(db))
	if err != nil {
		return oprisk.Verification{}, err
	}
	return svc.Verify(ctx)
}
