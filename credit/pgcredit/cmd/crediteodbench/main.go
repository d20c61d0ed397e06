// Command crediteodbench times the credit end of day on PostgreSQL over a
// book of many active loans, with pgbench's TPC-B-like rate taken in the
// same run as the reference for the machine's state.
//
//	go run ./credit/pgcredit/cmd/crediteodbench -loans 1000000
//
// It works in its own scratch databases (-scratch-db, default
// bankkit_crediteodbench, and the same name with _pgbench), which it drops
// and creates at start. The book is 20 template loans of 20,000.00 over 12
// months made through credit.Service, one on each business day from 2 to
// 27 March 2026 (every third one's demand account dry: it never pays),
// copied in SQL to -loans loans; seeding is not measured. Then the end of
// day runs through credit.Service for each of -dates: 30 March (each
// loan's first run), 31 March (an ordinary day: interest accrued, nothing
// due), 2 and 3 April (a twentieth of the book due each day, debited from
// its account, the dry ones left overdue). The ledger port is a fake that
// takes every entry (credit's side only). Each run prints loans, time,
// loans/s and the largest Go heap seen, sampled every 100 ms.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/internal/pgscratch"
)

func main() {
	dbURL := flag.String("database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL server to create the scratch databases on")
	scratch := flag.String("scratch-db", "bankkit_crediteodbench", "scratch database, dropped and created at start")
	loans := flag.Int("loans", 1_000_000, "active loans in the book")
	page := flag.Int("page", credit.DefaultEndOfDayPage, "loans per end-of-day page")
	workers := flag.Int("workers", 4, "loans that owe something brought to the date at once")
	pages := flag.Int("pages", 2, "pages worked at once")
	dates := flag.String("dates", "2026-03-30,2026-03-31,2026-04-02,2026-04-03", "business dates to run, in order")
	pgb := flag.Duration("pgbench", 15*time.Second, "pgbench run before and after (0: none)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the end-of-day runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "crediteodbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), *dbURL, *scratch, *loans, *page, *workers, *pages, *dates, *pgb); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "crediteodbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, adminURL, scratch string, n, page, workers, pages int, dates string, pgb time.Duration) error {
	if adminURL == "" {
		return fmt.Errorf("-database-url (or BANKKIT_DATABASE_URL) is required")
	}
	var days []calendar.Date
	for _, s := range strings.Split(dates, ",") {
		d, err := calendar.ParseDate(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-dates: %w", err)
		}
		days = append(days, d)
	}
	fmt.Printf("load average %s", loadavg())
	var ref *pgbench
	if pgb > 0 {
		var err error
		if ref, err = newPgbench(ctx, adminURL, scratch+"_pgbench"); err != nil {
			return err
		}
		tps, err := ref.run(ctx, pgb)
		if err != nil {
			return err
		}
		fmt.Printf("pgbench before (TPC-B-like, scale 8, 8 clients, -M prepared, %s): %.0f tps\n", pgb, tps)
	}
	url, err := pgscratch.Fresh(ctx, adminURL, scratch)
	if err != nil {
		return err
	}
	db, err := sqlx.ConnectContext(ctx, "postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	b, err := newBook(ctx, db, credit.WithEndOfDayPage(page), credit.WithEndOfDayWorkers(workers),
		credit.WithEndOfDayPagesAtOnce(pages))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := b.seed(ctx, n); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("seeded %d loans in %s\n", n, time.Since(start).Round(time.Millisecond))
	for _, d := range days {
		stop := heapPeak()
		r, took, err := b.run(ctx, d)
		heap := stop()
		if err != nil {
			return fmt.Errorf("end of day %s: %w", d, err)
		}
		fmt.Printf("%s: %d loans, %d processed, %d debits, %d overdue: %s (%.0f loans/s), peak heap %.0f MB, load average %s",
			d, r.Loans, r.Processed, r.Debits, r.Overdue, took.Round(time.Millisecond), float64(r.Processed)/took.Seconds(),
			float64(heap)/(1<<20), loadavg())
	}
	fmt.Printf("ledger: %d entries posted; by chart %v\n", b.ledger.posted, b.ledger.charts())
	if ref != nil {
		tps, err := ref.run(ctx, pgb)
		if err != nil {
			return err
		}
		fmt.Printf("pgbench after: %.0f tps\n", tps)
		return ref.release(ctx)
	}
	return nil
}

// heapPeak samples the Go heap in use every 100 ms until stop, which
// returns the largest seen.
func heapPeak() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown\n"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ") + "\n"
}

// pgbench is PostgreSQL's TPC-B-like benchmark on a scratch database of
// its own (scale 8, 8 clients, 2 threads, prepared statements), the
// reference of what the database does on this machine at this moment.
type pgbench struct {
	bin, url, admin, name string
}

func newPgbench(ctx context.Context, adminURL, name string) (*pgbench, error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		return nil, errors.New("pgbench not found on PATH (-pgbench 0 runs without it)")
	}
	url, err := pgscratch.Fresh(ctx, adminURL, name)
	if err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, bin, "-i", "-q", "-s", "8", url).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgbench -i: %w: %s", err, out)
	}
	return &pgbench{bin: bin, url: url, admin: adminURL, name: name}, nil
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

func (p *pgbench) run(ctx context.Context, d time.Duration) (float64, error) {
	secs := max(2, int(d.Round(time.Second)/time.Second))
	out, err := exec.CommandContext(ctx, p.bin, "-n", "-M", "prepared", "-c", "8", "-j", "2", "-T", strconv.Itoa(secs), p.url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in its output: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func (p *pgbench) release(ctx context.Context) error {
	admin, err := sqlx.ConnectContext(ctx, "postgres", p.admin)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)")
	return err
}
