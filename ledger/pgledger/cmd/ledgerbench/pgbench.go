package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pgbenchRunner drives the pgbench binary against the scratch database, so
// the ledger's figures sit next to the database's own yardstick measured on
// the same server in the same run.
type pgbenchRunner struct {
	binary string // path or name of pgbench
	dsn    string // connection URL of the scratch database
}

// initialize creates pgbench's tables at the given scale. The built-in
// TPC-B-like script updates one of scale branch rows per transaction, so a
// scale below the client count would make pgbench queue on branch row locks
// and understate what the server can do; callers pass scale >= clients.
func (r pgbenchRunner) initialize(ctx context.Context, scale int) error {
	cmd := exec.CommandContext(ctx, r.binary, "-i", "-q", "-s", strconv.Itoa(scale), r.dsn)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgbench -i: %w\n%s", err, out)
	}
	return nil
}

// run executes the built-in script with prepared statements for d and
// returns its transactions per second, excluding connection time.
func (r pgbenchRunner) run(ctx context.Context, clients int, d time.Duration) (float64, error) {
	return r.pgbench(ctx, clients, d, "-M", "prepared")
}

// runScript executes the script in file instead, also prepared (planned
// once per connection, as pgledger's statements are), without pgbench's
// vacuum of its own tables (-n).
func (r pgbenchRunner) runScript(ctx context.Context, clients int, d time.Duration, file string) (float64, error) {
	return r.pgbench(ctx, clients, d, "-n", "-M", "prepared", "-f", file)
}

func (r pgbenchRunner) pgbench(ctx context.Context, clients int, d time.Duration, args ...string) (float64, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	args = append([]string{"-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(secs)}, args...)
	cmd := exec.CommandContext(ctx, r.binary, append(args, r.dsn)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	return parseTPS(out.Bytes())
}

// tpsLine matches pgbench's summary line, e.g.
// "tps = 1107.778847 (without initial connection time)".
var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9]+(?:\.[0-9]+)?) \(without initial connection time\)`)

// parseTPS extracts the TPS that excludes connection set-up from pgbench's
// report, so the comparison is about transactions and not about opening
// sockets.
func parseTPS(report []byte) (float64, error) {
	m := tpsLine.FindSubmatch(report)
	if m == nil {
		return 0, fmt.Errorf("pgbench report has no \"tps = ... (without initial connection time)\" line:\n%s", report)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
