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

// result summarises one timed run.
type result struct {
	transfers int
	elapsed   time.Duration
	p50, p99  time.Duration // latency of one op (a transfer or a whole batch)
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
	slices.Sort(latencies)
	return result{
		transfers: total,
		elapsed:   elapsed,
		p50:       percentile(latencies, 0.50),
		p99:       percentile(latencies, 0.99),
	}, nil
}

// percentile returns the q-quantile of sorted by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
