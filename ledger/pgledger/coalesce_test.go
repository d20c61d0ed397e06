package pgledger

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// fundedPair is a store with two funded CNY accounts.
func fundedPair(t *testing.T) (*Store, *ledger.Service, ledger.Account, ledger.Account) {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, Migrate(ctx, db))
	s := New(db)
	svc, err := ledger.NewService(s)
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	var accts [2]ledger.Account
	for i := range accts {
		accts[i], err = svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
		require.NoError(t, err)
		_, err = svc.Deposit(ctx, ledger.DepositRequest{AccountID: accts[i].ID, Amount: money.MustParse("100.00", "CNY")})
		require.NoError(t, err)
	}
	return s, svc, accts[0], accts[1]
}

// waitQueued waits until n calls wait in c's queue.
func waitQueued(t *testing.T, c *coalescer, n int) {
	t.Helper()
	require.Eventually(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return len(c.queue) == n },
		5*time.Second, time.Millisecond)
}

// TestQueuedPostingsShareATransaction holds every leader slot, queues
// single transfers behind them, and lets one batch go: the transfers are
// written by one transaction, each decided on its own (the one the balance
// cannot cover is refused), and a caller that gave up while queued is
// answered with its context's error and posts nothing.
func TestQueuedPostingsShareATransaction(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	ctx := context.Background()

	c := &s.group
	c.mu.Lock()
	c.leaders = maxLeaders // every slot taken: callers queue
	c.mu.Unlock()

	amounts := []string{"10.00", "20.00", "30.00", "90.00", "5.00"} // 90.00 finds too little left
	type outcome struct {
		receipt ledger.Receipt
		err     error
	}
	outcomes := make([]outcome, len(amounts))
	var wg sync.WaitGroup
	for i, a := range amounts {
		wg.Go(func() {
			r, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse(a, "CNY")})
			outcomes[i] = outcome{r, err}
		})
		// Queue them in order, so the batch decides them in this order.
		waitQueued(t, c, i+1)
	}
	giveUp, cancel := context.WithCancel(ctx)
	var gaveUp error
	wg.Go(func() {
		_, gaveUp = svc.Transfer(giveUp, ledger.TransferRequest{FromAccountID: bob.ID, ToAccountID: alice.ID, Amount: money.MustParse("1.00", "CNY")})
	})
	waitQueued(t, c, len(amounts)+1)
	cancel()

	s.handOff() // one of the held slots finishes: the queue goes as one batch
	wg.Wait()
	c.mu.Lock()
	require.Empty(t, c.queue)
	require.Equal(t, maxLeaders-1, c.leaders, "the batch's leader gave its slot back")
	c.leaders = 0
	c.mu.Unlock()

	require.ErrorIs(t, gaveUp, context.Canceled)
	var ids []string
	for i, o := range outcomes {
		if amounts[i] == "90.00" {
			require.ErrorIs(t, o.err, ledger.ErrInsufficientFunds)
			continue
		}
		require.NoError(t, o.err, amounts[i])
		ids = append(ids, o.receipt.Entry.ID.String())
	}
	var transactions, entries int
	require.NoError(t, s.db.Get(&transactions, `SELECT count(DISTINCT xmin::text) FROM ledger.entries WHERE id = ANY($1::uuid[])`, pq.StringArray(ids)))
	require.Equal(t, 1, transactions, "the queued transfers were written by one transaction")
	require.NoError(t, s.db.Get(&entries, `SELECT count(*) FROM ledger.entries WHERE kind = 'transfer'`))
	require.Equal(t, len(ids), entries, "nothing else was posted: not the refused one, not the abandoned one")
	after, err := svc.Account(ctx, alice.ID)
	require.NoError(t, err)
	require.Equal(t, "35.00", after.Balance.Amount.StringFixed(2))
}

// TestQueuedBatchesShareATransaction queues two TransferBatch calls behind
// busy leaders and lets one batch go: both calls are written by one
// transaction, and each gets its own results, in its own order, with the
// transfer its balance cannot cover refused on its own.
func TestQueuedBatchesShareATransaction(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	ctx := context.Background()
	c := &s.group
	c.mu.Lock()
	c.leaders = maxLeaders
	c.mu.Unlock()

	transfer := func(from, to ledger.Account, amount string) ledger.TransferRequest {
		return ledger.TransferRequest{FromAccountID: from.ID, ToAccountID: to.ID, Amount: money.MustParse(amount, "CNY")}
	}
	calls := [][]ledger.TransferRequest{
		{transfer(alice, bob, "10.00"), transfer(alice, bob, "95.00"), transfer(alice, bob, "5.00")}, // 95.00 finds 90.00
		{transfer(bob, alice, "7.00"), transfer(bob, alice, "3.00")},
	}
	results := make([][]ledger.BatchResult, len(calls))
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Go(func() { results[i], errs[i] = svc.TransferBatch(ctx, call) })
		waitQueued(t, c, i+1)
	}
	s.handOff()
	wg.Wait()
	c.mu.Lock()
	require.Empty(t, c.queue)
	c.leaders = 0
	c.mu.Unlock()

	var ids []string
	for i, call := range calls {
		require.NoError(t, errs[i])
		require.Len(t, results[i], len(call))
		for j, r := range results[i] {
			if i == 0 && j == 1 {
				require.ErrorIs(t, r.Err, ledger.ErrInsufficientFunds)
				continue
			}
			require.NoError(t, r.Err)
			require.Equal(t, call[j].Amount.Amount, r.Receipt.Entry.Postings[0].Amount.Amount, "call %d result %d is its own transfer", i, j)
			ids = append(ids, r.Receipt.Entry.ID.String())
		}
	}
	var transactions int
	require.NoError(t, s.db.Get(&transactions, `SELECT count(DISTINCT xmin::text) FROM ledger.entries WHERE id = ANY($1::uuid[])`, pq.StringArray(ids)))
	require.Equal(t, 1, transactions, "both calls were written by one transaction")
	after, err := svc.Account(ctx, alice.ID)
	require.NoError(t, err)
	require.Equal(t, "95.00", after.Balance.Amount.StringFixed(2)) // 100 - 10 - 5 + 7 + 3
}

// TestTakeGroupsWholeCalls checks how the queue is cut into batches: whole
// calls, as many as fit in maxGroup entries, and a larger call alone.
func TestTakeGroupsWholeCalls(t *testing.T) {
	t.Parallel()
	call := func(n int) *waiter { return &waiter{reqs: make([]ledger.PostRequest, n)} }
	sizes := func(group []*waiter) []int {
		var out []int
		for _, w := range group {
			out = append(out, len(w.reqs))
		}
		return out
	}
	c := &coalescer{queue: []*waiter{call(1), call(maxGroup - 2), call(1), call(2), call(maxGroup + 1), call(1)}}
	require.Equal(t, []int{1, maxGroup - 2, 1}, sizes(c.take()))
	require.Equal(t, []int{2}, sizes(c.take()), "the next call would pass maxGroup")
	require.Equal(t, []int{maxGroup + 1}, sizes(c.take()), "a call larger than maxGroup goes alone")
	require.Equal(t, []int{1}, sizes(c.take()))
	require.Nil(t, c.take())
}

// TestBusinessDateReadsAreNeverStale reads the business date from many
// goroutines while end of day moves it: a read that begins after the move
// has returned must see the new date, shared reads or not.
func TestBusinessDateReadsAreNeverStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, Migrate(ctx, db))
	s := New(db)
	start := calendar.MustDate(2026, time.March, 2)
	day := start
	_, err := s.BusinessDate(ctx, start)
	require.NoError(t, err)

	var moved atomic.Value // the date most recently moved to
	moved.Store(day)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stale atomic.Int64
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				want := moved.Load().(calendar.Date)
				got, err := s.BusinessDate(ctx, start)
				if err != nil || got.Before(want) {
					stale.Add(1)
				}
			}
		})
	}
	for range 50 {
		next := day.AddDays(1)
		require.NoError(t, s.AdvanceBusinessDate(ctx, day, next))
		moved.Store(next)
		day = next
	}
	close(stop)
	wg.Wait()
	require.Zero(t, stale.Load(), "reads that began after a move saw the date before it")
}

// TestPanickingBatchAnswersEveryone makes posting a batch panic: the caller
// that led it sees the panic, the other caller in it gets an error rather
// than waiting forever, and the lead passes on, so later postings go
// through.
func TestPanickingBatchAnswersEveryone(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	ctx := context.Background()
	c := &s.group
	c.mu.Lock()
	c.leaders = maxLeaders
	c.post = func(context.Context, []ledger.PostRequest) ([]ledger.PostResult, error) { panic("boom") }
	c.mu.Unlock()

	type outcome struct {
		err      error
		panicked any
	}
	outcomes := make([]outcome, 2)
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Go(func() {
			defer func() { outcomes[i].panicked = recover() }()
			_, outcomes[i].err = svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse("1.00", "CNY")})
		})
		waitQueued(t, c, i+1)
	}
	s.handOff()
	wg.Wait()
	require.Equal(t, "boom", outcomes[0].panicked, "the leader's caller sees the panic")
	require.Nil(t, outcomes[1].panicked)
	require.ErrorIs(t, outcomes[1].err, errLeaderPanicked)

	c.mu.Lock()
	require.Equal(t, maxLeaders-1, c.leaders, "the panicking leader gave its slot back")
	c.leaders = 0
	c.post = nil
	c.mu.Unlock()
	_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse("1.00", "CNY")})
	require.NoError(t, err)
}

// TestQueuedCallerKeepsItsDeadline queues a transfer behind busy leaders:
// when its deadline passes it leaves the queue and returns, posting
// nothing, instead of waiting for a leader.
func TestQueuedCallerKeepsItsDeadline(t *testing.T) {
	t.Parallel()
	s, svc, alice, bob := fundedPair(t)
	c := &s.group
	c.mu.Lock()
	c.leaders = maxLeaders
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.leaders = 0; c.mu.Unlock() }()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse("1.00", "CNY")})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	c.mu.Lock()
	require.Empty(t, c.queue, "the caller left the queue")
	c.mu.Unlock()
	var entries int
	require.NoError(t, s.db.Get(&entries, `SELECT count(*) FROM ledger.entries WHERE kind = 'transfer'`))
	require.Zero(t, entries)
}

// TestSharedDateReadOutlivesAGivenUpReader stalls the read in flight; the
// caller that set up the next read gives up (its deadline passes), and a
// caller that joined that read, with no deadline of its own, still gets
// the date by reading it itself.
func TestSharedDateReadOutlivesAGivenUpReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, Migrate(ctx, db))
	s := New(db)
	day := calendar.MustDate(2026, time.March, 2)
	_, err := s.BusinessDate(ctx, day)
	require.NoError(t, err)

	stalled := &dateRead{done: make(chan struct{})}
	s.dates.mu.Lock()
	s.dates.current = stalled
	s.dates.mu.Unlock()

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var shortErr error
	wg.Go(func() { _, shortErr = s.BusinessDate(short, day) })
	require.Eventually(t, func() bool { s.dates.mu.Lock(); defer s.dates.mu.Unlock(); return s.dates.next != nil },
		5*time.Second, time.Millisecond)
	var got calendar.Date
	var gotErr error
	wg.Go(func() { got, gotErr = s.BusinessDate(ctx, day) })
	wg.Wait()
	require.ErrorIs(t, shortErr, context.DeadlineExceeded)
	require.NoError(t, gotErr)
	require.Equal(t, day, got)
	close(stalled.done)
}
