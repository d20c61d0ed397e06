package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// result is one round: throughput, latency and failures.
type result struct {
	tps      float64
	p50, p99 time.Duration
	errors   int
}

// load runs clients goroutines for d, each calling transfer(from, to,
// cents) back to back between random distinct accounts of n, and measures
// the successful calls.
func load(n, clients int, d time.Duration, transfer func(from, to, cents int) error) result {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(clients)))
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				from, to := rng.IntN(n), rng.IntN(n-1)
				if to >= from {
					to++
				}
				t0 := time.Now()
				if err := transfer(from, to, 1+rng.IntN(99)); err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{errors: errs, tps: float64(len(lat)) / elapsed.Seconds()}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}
