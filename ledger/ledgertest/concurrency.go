package ledgertest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var concurrencyTests = []test{
	{Name: "ConcurrentTransfersConserveMoney", Run: testConcurrentTransfers},
	{Name: "ConcurrentRetriesPostOnce", Run: testConcurrentRetries},
	{Name: "ConcurrentBatches", Run: testConcurrentBatches},
	{Name: "ConcurrentHoldsNeverOverdraw", Run: testConcurrentHolds},
	{Name: "StatementsAreReadAtOneMoment", Run: testStatementSnapshot},
}

// concurrentWorkers and transfersPerWorker size the concurrency tests:
// enough overlap for the race detector and for lost updates to show.
const (
	concurrentWorkers  = 8
	transfersPerWorker = 60
)

func testConcurrentTransfers(t *testing.T, f *fixture) {
	const n = 5
	accounts := make([]ledger.Account, n)
	for i := range accounts {
		if i == 0 {
			accounts[i] = f.OpenWith(ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand,
				Currency: money.CNY, Policy: ledger.Overdraft(decimal.NewFromInt(100))})
		} else {
			accounts[i] = f.Open(fmt.Sprintf("owner-%d", i))
		}
		f.Deposit(accounts[i].ID, "100.00")
	}

	var mu sync.Mutex
	acked := map[ledger.ID]ledger.TransferRequest{}
	var wg sync.WaitGroup
	for w := range concurrentWorkers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for range transfersPerWorker {
				from := rng.IntN(n)
				to := (from + 1 + rng.IntN(n-1)) % n
				req := ledger.TransferRequest{FromAccountID: accounts[from].ID, ToAccountID: accounts[to].ID,
					Amount: money.Money{Amount: decimal.New(int64(1+rng.IntN(6000)), -2), Currency: money.CNY}}
				r, err := f.Svc.Transfer(f.Ctx, req)
				if err != nil {
					if !errors.Is(err, ledger.ErrInsufficientFunds) {
						t.Errorf("transfer: %v", err)
					}
					continue
				}
				mu.Lock()
				acked[r.Entry.ID] = req
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.NotEmpty(t, acked)

	// Replay the acknowledged transfers on paper and compare.
	want := map[ledger.ID]decimal.Decimal{}
	for _, a := range accounts {
		want[a.ID] = decimal.NewFromInt(100)
	}
	for _, r := range acked {
		want[r.FromAccountID] = want[r.FromAccountID].Sub(r.Amount.Amount)
		want[r.ToAccountID] = want[r.ToAccountID].Add(r.Amount.Amount)
	}
	total := decimal.Zero
	for i, a := range accounts {
		got := f.Account(a.ID)
		require.True(t, want[a.ID].Equal(got.Balance.Amount), "account %d: want %s, got %s", i, want[a.ID], got.Balance.Amount)
		floor := decimal.Zero
		if i == 0 {
			floor = decimal.NewFromInt(-100)
		}
		require.False(t, got.Balance.Amount.LessThan(floor), "account %d below its policy: %s", i, got.Balance.Amount)
		total = total.Add(got.Balance.Amount)
	}
	require.True(t, total.Equal(decimal.NewFromInt(100*n)), "money conserved: %s", total)

	// Every acknowledged transfer is in the journal exactly once.
	seen := map[ledger.ID]int{}
	for _, a := range accounts {
		st, err := f.Svc.Statement(f.Ctx, a.ID, f.Today, f.Today)
		require.NoError(t, err)
		for _, l := range st.Lines {
			if l.Kind == ledger.KindTransfer {
				seen[l.EntryID]++
			}
		}
	}
	require.Len(t, seen, len(acked))
	for id, count := range seen {
		_, ok := acked[id]
		require.True(t, ok, "unacknowledged entry %s", id)
		require.Equal(t, 2, count, "entry %s appears on both accounts once", id)
	}
	f.RequireTrialBalanced()
}

func testConcurrentRetries(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	req := ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("60.00"), IdempotencyKey: "once"}
	const retries = 20
	ids := make([]ledger.ID, retries)
	replayed := make([]bool, retries)
	errs := make([]error, retries)
	var wg sync.WaitGroup
	for i := range retries {
		wg.Go(func() {
			r, err := f.Svc.Transfer(f.Ctx, req)
			ids[i], replayed[i], errs[i] = r.Entry.ID, r.Replayed, err
		})
	}
	wg.Wait()
	fresh := 0
	for i := range retries {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
		if !replayed[i] {
			fresh++
		}
	}
	require.Equal(t, 1, fresh, "exactly one call posted")
	f.RequireBalance(a.ID, "40.00")
	f.RequireBalance(b.ID, "60.00")
	require.Equal(t, 1, f.LineCount(b.ID))
}

func testConcurrentBatches(t *testing.T, f *fixture) {
	const n = 4
	accounts := make([]ledger.Account, n)
	for i := range accounts {
		accounts[i] = f.Open(fmt.Sprintf("owner-%d", i))
		f.Deposit(accounts[i].ID, "50.00")
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	posted := 0
	for w := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for range 5 {
				batch := make([]ledger.TransferRequest, 20)
				for i := range batch {
					from := rng.IntN(n)
					batch[i] = ledger.TransferRequest{FromAccountID: accounts[from].ID,
						ToAccountID: accounts[(from+1+rng.IntN(n-1))%n].ID,
						Amount:      money.Money{Amount: decimal.New(int64(1+rng.IntN(2000)), -2), Currency: money.CNY}}
				}
				results, err := f.Svc.TransferBatch(f.Ctx, batch)
				if err != nil {
					t.Errorf("batch: %v", err)
					return
				}
				for _, r := range results {
					if r.Err == nil {
						mu.Lock()
						posted++
						mu.Unlock()
					} else if !errors.Is(r.Err, ledger.ErrInsufficientFunds) {
						t.Errorf("transfer in batch: %v", r.Err)
					}
				}
			}
		})
	}
	wg.Wait()
	total := decimal.Zero
	lines := 0
	for _, a := range accounts {
		got := f.Account(a.ID)
		require.False(t, got.Balance.IsNegative())
		total = total.Add(got.Balance.Amount)
		lines += f.LineCount(a.ID) - 1 // less the opening deposit
	}
	require.True(t, total.Equal(decimal.NewFromInt(50*n)))
	require.Equal(t, 2*posted, lines, "each posted transfer shows on two accounts")
}

func testConcurrentHolds(t *testing.T, f *fixture) {
	a, shop := f.Open("alice"), f.Open("shop")
	f.Deposit(a.ID, "100.00")
	var wg sync.WaitGroup
	for w := range concurrentWorkers {
		wg.Go(func() {
			for i := range 10 {
				h, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("7.00")})
				if errors.Is(err, ledger.ErrInsufficientFunds) {
					continue
				}
				if err != nil {
					t.Errorf("hold: %v", err)
					return
				}
				if (w+i)%2 == 0 {
					_, err = f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: shop.ID, Amount: cny("3.00")})
				} else {
					_, err = f.Svc.ReleaseHold(f.Ctx, h.Hold.ID)
				}
				if err != nil {
					t.Errorf("settle hold: %v", err)
				}
			}
		})
	}
	wg.Wait()
	got := f.Account(a.ID)
	s := f.Account(shop.ID)
	require.True(t, got.Held.IsZero(), "every hold settled: %s held", got.Held)
	require.False(t, got.Available().IsNegative())
	require.True(t, got.Balance.Amount.Add(s.Balance.Amount).Equal(decimal.NewFromInt(100)))
	f.RequireTrialBalanced()
}

// testStatementSnapshot posts, again and again, a batch of two transfers
// that cancel out on account a: one back-valued before the statement's
// range (lowering its opening balance) and one inside it (a line). Read
// at one moment, a's statement always closes at what a started with; an
// opening read before a batch and lines read after it would not.
func testStatementSnapshot(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	d := f.Today
	for _, id := range []ledger.ID{a.ID, b.ID} {
		_, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: id, Amount: cny("1000.00"), ValueDate: d.AddDays(-10)})
		require.NoError(t, err)
	}
	const batches = 40
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range batches {
			results, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{
				{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"), ValueDate: d.AddDays(-5)},
				{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("1.00")},
			})
			if err != nil || results[0].Err != nil || results[1].Err != nil {
				t.Errorf("batch: %v %v", err, results)
				return
			}
		}
	}()
	reads := 0
	for running := true; running; reads++ {
		select {
		case <-done:
			running = false
		default:
		}
		st, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-2), d)
		require.NoError(t, err)
		require.Equal(t, "1000.00", st.Closing.ValueString(),
			"opening %s with %d lines: the opening and the lines were read at different moments", st.Opening.ValueString(), len(st.Lines))
	}
	st, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-2), d)
	require.NoError(t, err)
	require.Len(t, st.Lines, batches)
	t.Logf("%d statements read while posting", reads)
}
