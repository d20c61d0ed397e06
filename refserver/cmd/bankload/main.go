// Command bankload measures the reference server through HTTP: concurrent
// clients post transfers (each with its own Idempotency-Key) between random
// accounts, and it reports transfers per second with p50 and p99 latency at
// each client count.
//
// On PostgreSQL each client count also runs, right after the HTTP round,
// the same transfers through the ledger as a library (pgledger's
// Service.Transfer on the same database and accounts, each with an
// idempotency key as the server passes one), and prints the ratio of the
// two: what HTTP, authentication and Idempotency-Key cost on top of a
// posting. pgbench's TPC-B-like tps at each client count, run after them,
// is the fixed reference of what the database does on the machine at that
// moment; it runs on a scratch database (<database-name>_pgbench) that
// bankload creates and drops, and is skipped with a note when the binary
// is absent or that database already exists.
//
// It starts the server in this process and talks to it over loopback TCP,
// in memory (-memory) or on the database -database-name (default
// bankkit_load) of the PostgreSQL server named by -database-url. A
// database that exists is used as it is and kept; one that does not is
// created for the run and dropped after it. bankload never drops a
// database it did not create.
//
//	go run ./refserver/cmd/bankload -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver"
)

// options are the command's flags.
type options struct {
	dbURL, dbName string
	memory        bool
	clients       string
	duration      time.Duration
	accounts      int
	pgbench       bool
	pgbenchScale  int
	cpuProfile    string
	auditAsync    bool
}

func main() {
	var o options
	flag.StringVar(&o.dbURL, "database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL server to run on")
	flag.StringVar(&o.dbName, "database-name", "bankkit_load", "database to run in: used and kept if it exists, else created and dropped after the run")
	flag.BoolVar(&o.memory, "memory", false, "run the server on in-memory storage instead")
	flag.StringVar(&o.clients, "clients", "1,8,32", "comma-separated client counts")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "how long each client count runs")
	flag.IntVar(&o.accounts, "accounts", 200, "accounts transfers move between")
	flag.BoolVar(&o.pgbench, "pgbench", true, "run pgbench as the reference, on a scratch database <database-name>_pgbench bankload creates and drops")
	flag.IntVar(&o.pgbenchScale, "pgbench-scale", 32, "pgbench -i scale (at least the most clients)")
	flag.BoolVar(&o.auditAsync, "audit-async-commit", false, "append the staff audit trail without waiting for the disk (the server's -audit-async-commit); the load posts as staff, so each transfer appends one audit record")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the HTTP rounds (server and clients) to this file")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bankload:", err)
		os.Exit(1)
	}
}

func run(o options, out io.Writer) (err error) {
	var counts []int
	for _, c := range strings.Split(o.clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("-clients: %q is not a positive number", c)
		}
		counts = append(counts, n)
	}
	if o.accounts < 2 {
		return fmt.Errorf("-accounts: need at least 2")
	}
	token, err := channel.GenerateToken()
	if err != nil {
		return err
	}
	ctx := context.Background()
	cfg := refserver.Config{Addr: "127.0.0.1:0", AdminToken: token, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PIIKeyring: "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,index:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}
	cfg.AuditAsyncCommit = o.auditAsync
	storage := "memory"
	var db *database
	if !o.memory {
		if o.dbURL == "" {
			return fmt.Errorf("give -database-url (or -memory)")
		}
		if db, err = openDatabase(ctx, o.dbURL, o.dbName); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, db.release(ctx)) }()
		if cfg.ClearingDir, err = os.MkdirTemp("", "bankload-clearing-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.ClearingDir)
		cfg.DatabaseURL = db.url
		storage = "postgres, database " + o.dbName
	}
	srv, err := refserver.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(l) }()
	defer hs.Close()
	c := &client{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second},
		base: "http://" + l.Addr().String(), token: token}

	ids, err := setup(c, o.accounts)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	httpTransfer := func(from, to, cents int) error {
		return c.transfer(transferBody(ids[from], ids[to], cents))
	}
	fmt.Fprintf(out, "bankload: POST /v1/transfers through HTTP, %s storage, %d accounts, %s per step\n", storage, o.accounts, o.duration)
	if o.memory {
		fmt.Fprintf(out, "%8s %12s %10s %10s %8s\n", "clients", "transfers/s", "p50", "p99", "errors")
		for _, n := range counts {
			r := load(len(ids), n, o.duration, httpTransfer)
			fmt.Fprintf(out, "%8d %12.0f %10s %10s %8d\n", n, r.tps, ms(r.p50), ms(r.p99), r.errors)
		}
		return nil
	}

	// The library on the same database and accounts, and pgbench on a
	// scratch database of its own, alternate with HTTP at each count.
	ldb, err := sqlx.ConnectContext(ctx, "postgres", db.url)
	if err != nil {
		return err
	}
	defer ldb.Close()
	ldb.SetMaxOpenConns(32)
	ldb.SetMaxIdleConns(32)
	lib, err := newLibrary(ldb, ids, strconv.FormatInt(time.Now().UnixNano(), 36))
	if err != nil {
		return err
	}
	// HTTP and the library run twice at each count, in the order HTTP,
	// library, library, HTTP, so a change in outside load falls on both
	// alike; pgbench runs after all of them, as its initialisation and its
	// writes would weigh on whatever round came next.
	type row struct{ http, lib result }
	rows := make([]row, len(counts))
	for i, n := range counts {
		h1 := load(len(ids), n, o.duration, httpTransfer)
		l1 := load(len(ids), n, o.duration, lib.transfer)
		l2 := load(len(ids), n, o.duration, lib.transfer)
		h2 := load(len(ids), n, o.duration, httpTransfer)
		rows[i] = row{combine(h1, h2), combine(l1, l2)}
	}
	tps := make([]string, len(counts))
	for i := range tps {
		tps[i] = "-"
	}
	note := "pgbench skipped (-pgbench=false)"
	if o.pgbench {
		var bench *pgbench
		if bench, note, err = newPgbench(ctx, o.dbURL, o.dbName+"_pgbench", max(1, o.pgbenchScale)); err != nil {
			return err
		}
		if bench != nil {
			defer func() { err = errors.Join(err, bench.release(ctx)) }()
			for i, n := range counts {
				t, err := bench.run(ctx, n, o.duration)
				if err != nil {
					return err
				}
				tps[i] = fmt.Sprintf("%.0f", t)
			}
		}
	}
	if note != "" {
		fmt.Fprintln(out, "note:", note)
	}
	fmt.Fprintln(out, "library: ledger.Service.Transfer on pgledger, same database and accounts; ratio = library/s ÷ HTTP/s; each the mean of two rounds")
	fmt.Fprintf(out, "%8s %9s %9s %9s %10s %9s %9s %7s %9s %7s\n", "clients", "HTTP/s", "p50", "p99", "library/s", "p50", "p99", "ratio", "pgbench", "errors")
	for i, n := range counts {
		h, lb := rows[i].http, rows[i].lib
		ratio := 0.0
		if h.tps > 0 {
			ratio = lb.tps / h.tps
		}
		fmt.Fprintf(out, "%8d %9.0f %9s %9s %10.0f %9s %9s %7.2f %9s %7d\n", n, h.tps, ms(h.p50), ms(h.p99),
			lb.tps, ms(lb.p50), ms(lb.p99), ratio, tps[i], h.errors+lb.errors)
	}
	return nil
}

// combine is the mean of two rounds (their failures added).
func combine(a, b result) result {
	return result{tps: (a.tps + b.tps) / 2, p50: (a.p50 + b.p50) / 2, p99: (a.p99 + b.p99) / 2, errors: a.errors + b.errors}
}

// ms prints a latency in milliseconds.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
}
