package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// printReport writes the side-by-side table. Ratios are against pgbench's
// TPS at the same client count, except the hot-account run's, which is
// against the uniform single-transfer run.
func printReport(w io.Writer, cfg config, rows []row) {
	fmt.Fprintf(w, "ledgerbench: %d accounts, batch %d, %s per workload in %d interleaved rounds; pgbench = built-in TPC-B-like script, -M prepared, scale %d\n\n",
		cfg.accounts, cfg.batch, cfg.duration, cfg.rounds, slices.Max(cfg.clients))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "clients\tpgbench TPS\tsingle TPS (x pgbench)\tbatched transfers/s (x pgbench)\thot single TPS (x uniform)\tsingle p50/p99\tbatch p50/p99\thot p50/p99\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f (%.2fx)\t%.0f (%.1fx)\t%.0f (%.2fx)\t%s\t%s\t%s\t\n",
			r.clients, r.pgbench,
			r.single.perSecond(), ratio(r.single.perSecond(), r.pgbench),
			r.batched.perSecond(), ratio(r.batched.perSecond(), r.pgbench),
			r.hot.perSecond(), ratio(r.hot.perSecond(), r.single.perSecond()),
			latencies(r.single), latencies(r.batched), latencies(r.hot))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nwrite floor: pgbench writing only the rows of transfers into the ledger's tables (no reads, no checks, no application), transfers/s (x pgbench)\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "clients\t")
	for _, n := range floorSizes(cfg.batch) {
		fmt.Fprintf(tw, "%d per txn\t", n)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t", r.clients)
		for _, n := range floorSizes(cfg.batch) {
			fmt.Fprintf(tw, "%.0f (%.1fx)\t", r.floor[n], ratio(r.floor[n], r.pgbench))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func latencies(r result) string {
	return ms(r.percentile(0.50)) + "/" + ms(r.percentile(0.99)) + " ms"
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}
