package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// op is one unit of work of a client: it returns how many transfers it
// completed (1 for a single transfer, the batch size for a batch).
type op func(ctx context.Context, client int) (int, error)

// result summarises timed runs.
type result struct {
	transfers int
	elapsed   time.Duration
	latencies []time.Duration // of each op (a transfer or a whole batch)
}

// add merges another run of the same workload into r.
func (r *result) add(o result) {
	r.transfers += o.transfers
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
}

// percentile returns the q-quantile of the op latencies by the
// nearest-rank method.
func (r result) percentile(q float64) time.Duration {
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	return percentile(sorted, q)
}

// perSecond is the throughput in transfers per second.
func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.transfers) / r.elapsed.Seconds()
}

// runFor runs do from clients goroutines until d has passed and reports
// throughput and latency percentiles. The first error stops the run: a
// benchmark that silently drops failures would overstate its figure.
func runFor(ctx context.Context, clients int, d time.Duration, do op) (result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		total     int
		firstErr  error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			var mine []time.Duration
			n := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t0 := time.Now()
				k, err := do(ctx, c)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("client %d: %w", c, err)
					}
					mu.Unlock()
					cancel()
					return
				}
				mine = append(mine, time.Since(t0))
				n += k
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	return result{transfers: total, elapsed: elapsed, latencies: latencies}, nil
}

// percentile returns the q-quantile of sorted by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
