package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/pgledger"
)

// timedStore is the pgledger store with the calls end of day makes in
// bulk timed, so the report can say where a run's time goes.
type timedStore struct {
	*pgledger.Store
	mu    sync.Mutex
	spent map[string]time.Duration
	calls map[string]int
}

func newTimedStore(s *pgledger.Store) *timedStore {
	return &timedStore{Store: s, spent: map[string]time.Duration{}, calls: map[string]int{}}
}

func (t *timedStore) since(name string, start time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spent[name] += time.Since(start)
	t.calls[name]++
}

// report prints the time spent per method since the last report and
// starts again.
func (t *timedStore) report() {
	t.mu.Lock()
	defer t.mu.Unlock()
	names := make([]string, 0, len(t.spent))
	for name := range t.spent {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Printf("    %-18s %5d calls %10s\n", name, t.calls[name], t.spent[name].Round(time.Millisecond))
	}
	t.spent, t.calls = map[string]time.Duration{}, map[string]int{}
}

func (t *timedStore) InterestAccounts(ctx context.Context, after ledger.ID, limit int) ([]endofday.InterestAccount, error) {
	defer t.since("InterestAccounts", time.Now())
	return t.Store.InterestAccounts(ctx, after, limit)
}

func (t *timedStore) ClosingBalances(ctx context.Context, day calendar.Date, ids []ledger.ID) ([]decimal.Decimal, error) {
	defer t.since("ClosingBalances", time.Now())
	return t.Store.ClosingBalances(ctx, day, ids)
}

func (t *timedStore) SaveAccrualPage(ctx context.Context, run endofday.Run, updates []endofday.AccrualUpdate) error {
	defer t.since("SaveAccrualPage", time.Now())
	return t.Store.SaveAccrualPage(ctx, run, updates)
}

func (t *timedStore) PostEntries(ctx context.Context, reqs []ledger.PostRequest) ([]ledger.PostResult, error) {
	defer t.since("PostEntries", time.Now())
	return t.Store.PostEntries(ctx, reqs)
}
