package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// pgbench runs PostgreSQL's own TPC-B-like benchmark on a scratch
// database of its own, as the fixed reference of a run: what the database
// does on this machine at this moment, whatever the code.
type pgbench struct {
	bin string
	db  *database
}

// pgbench runs as ledgerbench does (docs/performance.md): scale at least
// the most clients, since TPC-B updates one branch row per transaction and
// a smaller scale measures waits on that row; two threads, prepared
// statements.

// newPgbench prepares the scratch database name (created and initialised
// here, dropped by release); note says why there is none.
func newPgbench(ctx context.Context, base, name string, scale int) (p *pgbench, note string, err error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		return nil, "pgbench not found on PATH: no reference figures", nil
	}
	db, err := openDatabase(ctx, base, name)
	if err != nil {
		return nil, "", err
	}
	if !db.created {
		return nil, fmt.Sprintf("database %s exists and is not bankload's: pgbench skipped", name), nil
	}
	p = &pgbench{bin: bin, db: db}
	if out, err := exec.CommandContext(ctx, bin, "-i", "-q", "-s", strconv.Itoa(scale), db.url).CombinedOutput(); err != nil {
		return nil, "", errors.Join(fmt.Errorf("pgbench -i: %w: %s", err, out), db.release(ctx))
	}
	return p, "", nil
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

// run is pgbench's tps with clients clients for d (two seconds at least).
func (p *pgbench) run(ctx context.Context, clients int, d time.Duration) (float64, error) {
	secs := max(2, int(d.Round(time.Second)/time.Second))
	out, err := exec.CommandContext(ctx, p.bin, "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(secs), p.db.url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsLine.FindSubmatch(out)
	if m == nil && bytes.Contains(out, []byte("actually processed: 0\n")) {
		return 0, nil // pgbench prints no rate when nothing finished in time
	}
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in its output: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

func (p *pgbench) release(ctx context.Context) error { return p.db.release(ctx) }
