// Command ledgerbench measures pgledger against pgbench's built-in
// TPC-B-like transaction on the same PostgreSQL server in the same run, and
// prints the figures side by side:
//
//	go run ./ledger/pgledger/cmd/ledgerbench -clients 1,8,32 -duration 20s
//
// It works in its own scratch database (-scratch-db, default
// bankkit_bench), which it drops and creates at start, so it never touches
// the tables of the database named by -database-url. pgbench must be on
// PATH (or given with -pgbench).
//
// For each client count it runs four workloads, each for -duration split
// into -rounds slices taken in turn, so that load from elsewhere on the
// machine falls on all four alike:
//   - pgbench -c C -j 2 -T D -M prepared (TPS without connection time),
//     at scale max(clients): TPC-B updates one branch row per transaction,
//     and fewer branches than clients would make pgbench queue on them;
//   - single transfers between random customer accounts (Service.Transfer);
//   - batched transfers, -batch per Service.TransferBatch call;
//   - the hot-account run: cash deposits, each of which debits the one
//     vault cash account (Service.Deposit);
//   - the write floor, at 1, -batch and 1,000 transfers per transaction:
//     pgbench writing only the rows of transfers into the ledger's tables
//     (see floor.go), the most any ledger keeping those rows could post.
//
// Accounts are opened and funded with synchronous_commit off (set-up is not
// measured); every measured run uses the server's own settings.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
)

type config struct {
	databaseURL string
	scratchDB   string
	pgbench     string
	clients     []int
	duration    time.Duration
	batch       int
	accounts    int
	rounds      int
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ledgerbench:", err)
		os.Exit(2)
	}
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "ledgerbench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("ledgerbench", flag.ContinueOnError)
	var cfg config
	var clients string
	fs.StringVar(&cfg.databaseURL, "database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"server to benchmark; used only to create the scratch database")
	fs.StringVar(&cfg.scratchDB, "scratch-db", "bankkit_bench", "scratch database, dropped and created at start")
	fs.StringVar(&cfg.pgbench, "pgbench", "pgbench", "pgbench binary")
	fs.StringVar(&clients, "clients", "1,8,32", "comma-separated client counts")
	fs.DurationVar(&cfg.duration, "duration", 20*time.Second, "length of each timed run")
	fs.IntVar(&cfg.batch, "batch", 100, "transfers per TransferBatch call")
	fs.IntVar(&cfg.accounts, "accounts", 10000, "customer accounts")
	fs.IntVar(&cfg.rounds, "rounds", 4, "split each workload's -duration into this many rounds, interleaved with the others, so that load from elsewhere on the machine falls on all of them alike")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	for _, c := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return config{}, fmt.Errorf("-clients: %q is not a positive number", c)
		}
		cfg.clients = append(cfg.clients, n)
	}
	switch {
	case cfg.rounds < 1:
		return config{}, fmt.Errorf("-rounds: at least 1")
	case cfg.duration < time.Duration(cfg.rounds)*time.Second:
		return config{}, fmt.Errorf("-duration: at least 1s per round (pgbench counts whole seconds)")
	case cfg.batch < 1 || cfg.batch > ledger.MaxBatch:
		return config{}, fmt.Errorf("-batch: between 1 and %d", ledger.MaxBatch)
	case cfg.accounts < 2:
		return config{}, fmt.Errorf("-accounts: at least 2")
	}
	return cfg, nil
}

// row is one line of the report.
type row struct {
	clients         int
	pgbench         float64
	single, batched result
	hot             result
	// floor is the write floor's transfers per second by transfers per
	// transaction (floorSizes).
	floor map[int]float64
}

// floorSizes are the transaction sizes the write floor runs at: one, as a
// lone single transfer posts; -batch, as a lone batch does; and
// ledger.MaxBatch, the largest group pgledger merges concurrent calls into.
func floorSizes(batch int) []int {
	sizes := []int{1, batch, ledger.MaxBatch}
	slices.Sort(sizes)
	return slices.Compact(sizes)
}

func run(ctx context.Context, cfg config) error {
	dsn, err := recreateScratch(ctx, cfg.databaseURL, cfg.scratchDB)
	if err != nil {
		return err
	}
	maxClients := slices.Max(cfg.clients)
	pgb := pgbenchRunner{binary: cfg.pgbench, dsn: dsn}
	fmt.Fprintf(os.Stderr, "pgbench -i -s %d ...\n", maxClients)
	if err := pgb.initialize(ctx, maxClients); err != nil {
		return err
	}

	setupDB, err := sqlx.ConnectContext(ctx, "postgres", dsn+"&synchronous_commit=off")
	if err != nil {
		return err
	}
	setupDB.SetMaxOpenConns(16)
	setupDB.SetMaxIdleConns(16) // else connections are closed and opened again all through set-up
	fmt.Fprintf(os.Stderr, "opening and funding %d accounts ...\n", cfg.accounts)
	b, err := setupBank(ctx, setupDB, cfg.accounts)
	if err == nil {
		// Fresh statistics, as autovacuum would have them in a bank that
		// grew to this size, so the measured plans are the steady state's.
		_, err = setupDB.ExecContext(ctx, "ANALYZE")
	}
	setupDB.Close()
	if err != nil {
		return err
	}

	db, err := sqlx.ConnectContext(ctx, "postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(maxClients)
	db.SetMaxIdleConns(maxClients)
	svc, err := ledger.NewService(pgledger.New(db))
	if err != nil {
		return err
	}
	b = b.withService(svc)
	if err := prepareFloor(ctx, db, b.accounts); err != nil {
		return err
	}
	scripts, err := os.MkdirTemp("", "ledgerbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scripts)
	floor, err := newFloorRunner(pgb, scripts, floorSizes(cfg.batch), len(b.accounts))
	if err != nil {
		return err
	}

	var rows []row
	slice := cfg.duration / time.Duration(cfg.rounds)
	for _, c := range cfg.clients {
		r := row{clients: c, floor: map[int]float64{}}
		for round := 1; round <= cfg.rounds; round++ {
			fmt.Fprintf(os.Stderr, "clients %d, round %d/%d: pgbench, write floor, single, batched, hot ...\n", c, round, cfg.rounds)
			tps, err := pgb.run(ctx, c, slice)
			if err != nil {
				return err
			}
			r.pgbench += tps / float64(cfg.rounds)
			for _, n := range floorSizes(cfg.batch) {
				perSecond, err := floor.run(ctx, c, n, slice)
				if err != nil {
					return fmt.Errorf("write floor: %w", err)
				}
				r.floor[n] += perSecond / float64(cfg.rounds)
			}
			for _, w := range []struct {
				name string
				into *result
				do   op
			}{
				{"single transfers", &r.single, b.transfer},
				{"batched transfers", &r.batched, b.transferBatch(cfg.batch)},
				{"hot-account run", &r.hot, b.depositFromVault},
			} {
				res, err := runFor(ctx, c, slice, w.do)
				if err != nil {
					return fmt.Errorf("%s: %w", w.name, err)
				}
				w.into.add(res)
			}
		}
		rows = append(rows, r)
	}
	printReport(os.Stdout, cfg, rows)
	return nil
}
