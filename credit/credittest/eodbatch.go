package credittest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
)

func (e *env) eventCount() int {
	e.t.Helper()
	evs, err := e.svc.Events().Read(e.ctx, 0, 500)
	require.NoError(e.t, err)
	return len(evs)
}

// receivables sums the loans' interest and charges receivable.
func (e *env) receivables(ids []credit.ID) (decimal.Decimal, decimal.Decimal) {
	e.t.Helper()
	interest, charges := decimal.Zero, decimal.Zero
	for _, id := range ids {
		l := e.loan(id)
		interest, charges = interest.Add(l.Receivable().Amount), charges.Add(l.ChargesReceivable().Amount)
	}
	return interest, charges
}

// requireBooksAgree checks that the ledger's receivables (debit-normal,
// so the chart balance, credits less debits, is their negation) are the
// loans' own, and each loan's account its outstanding principal.
func (e *env) requireBooksAgree(ids []credit.ID, msg string) {
	e.t.Helper()
	interest, charges := e.receivables(ids)
	require.Equal(e.t, interest.Neg().StringFixed(2), e.ledger.ChartBalance(credit.ChartInterestReceivable).StringFixed(2), msg)
	require.Equal(e.t, charges.Neg().StringFixed(2), e.ledger.ChartBalance(credit.ChartFeesReceivable).StringFixed(2), msg)
	for _, id := range ids {
		l := e.loan(id)
		require.Equal(e.t, l.Outstanding.ValueString(), e.balance(l.Account), msg)
	}
}

// The Store's batch of the end of day: EndOfDayLoans lists the active
// loans not yet as of the date; ApplyEndOfDay writes every loan at the
// version read, with its events and postings, or nothing; the postings
// are listed until marked posted.
func testEndOfDayBatchStore(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	a, _ := e.disbursed(p)
	b, _ := e.disbursed(p)
	date := calendar.MustParseDate("2026-03-03")
	list := func() []credit.ID {
		ls, err := e.store.EndOfDayLoans(e.ctx, date, credit.NilID, 10)
		require.NoError(t, err)
		var ids []credit.ID
		for _, l := range ls {
			ids = append(ids, l.ID)
		}
		return ids
	}
	require.ElementsMatch(t, []credit.ID{a.ID, b.ID}, list())
	first, last := a.ID, b.ID
	if first.String() > last.String() {
		first, last = last, first
	}
	ls, err := e.store.EndOfDayLoans(e.ctx, date, first, 10)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	require.Equal(t, last, ls[0].ID, "after the first, in id order")
	ls, err = e.store.EndOfDayLoans(e.ctx, date, credit.NilID, 1)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	require.Equal(t, first, ls[0].ID)

	a, b = e.loan(a.ID), e.loan(b.ID)
	step := func(l credit.Loan) credit.EndOfDayLoan {
		h := len(l.Standing.History)
		l.Standing.AsOf, l.Standing.Bucket, l.Standing.Classification = date, "1-30", credit.ClassSpecialMention
		l.Standing.History = append(l.Standing.History, credit.StandingChange{On: date, What: "bucket", From: "current", To: "1-30"})
		return credit.EndOfDayLoan{Loan: l, History: h}
	}
	entry := func(key string) credit.LedgerEntry {
		return credit.LedgerEntry{Key: key, Legs: []credit.Leg{{Chart: credit.ChartInterestReceivable, Side: credit.Debit, Amount: cny("1.00")},
			{Chart: credit.ChartInterestIncome, Side: credit.Credit, Amount: cny("1.00")}}}
	}
	ev, err := event.New(credit.EventBucketChanged, credit.EventVersion, e.clock.Now(),
		credit.StandingChanged{LoanID: a.ID, CustomerID: a.CustomerID, On: date, From: "current", To: "1-30"}, a.ID, a.CustomerID)
	require.NoError(t, err)
	events := e.eventCount()

	// b read at a version it no longer has: nothing of the batch is written.
	stale := step(b)
	stale.Loan.Version--
	aStep := step(a)
	aStep.Events = append(aStep.Events, ev)
	err = e.store.ApplyEndOfDay(e.ctx, credit.EndOfDayBatch{Date: date, Loans: []credit.EndOfDayLoan{aStep, stale},
		Postings: []credit.LedgerEntry{entry("k1")}})
	require.ErrorIs(t, err, credit.ErrConcurrentUpdate)
	require.Equal(t, a.Version, e.loan(a.ID).Version, "nothing half-applied")
	require.Equal(t, events, e.eventCount())
	owed, err := e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Empty(t, owed)

	require.NoError(t, e.store.ApplyEndOfDay(e.ctx, credit.EndOfDayBatch{Date: date,
		Loans: []credit.EndOfDayLoan{aStep, step(b)}, Postings: []credit.LedgerEntry{entry("k2"), entry("k1")}}))
	for _, l := range []credit.Loan{a, b} {
		got := e.loan(l.ID)
		require.Equal(t, l.Version+1, got.Version)
		require.Equal(t, date, got.Standing.AsOf)
		require.Equal(t, "1-30", got.Standing.Bucket)
		require.Len(t, got.Standing.History, 1)
	}
	require.Equal(t, events+1, e.eventCount())
	require.Empty(t, list(), "both are as of the date")
	ls, err = e.store.EndOfDayLoans(e.ctx, date.AddDays(1), credit.NilID, 10)
	require.NoError(t, err)
	require.Len(t, ls, 2, "and due the next day")
	overdue, err := e.store.Loans(e.ctx, credit.LoanFilter{Bucket: "1-30"}, credit.Page{Limit: 10})
	require.NoError(t, err)
	require.Len(t, overdue, 2, "the bucket column is written too")

	owed, err = e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Equal(t, []credit.LedgerEntry{entry("k1"), entry("k2")}, owed, "in key order, as recorded")

	// A taken key: nothing of the batch is written, not even its marks.
	a = e.loan(a.ID)
	next := step(a)
	next.Loan.Standing.AsOf = date.AddDays(1)
	err = e.store.ApplyEndOfDay(e.ctx, credit.EndOfDayBatch{Date: date.AddDays(1), Loans: []credit.EndOfDayLoan{next},
		Postings: []credit.LedgerEntry{entry("k2")}, Posted: []string{"k1"}})
	require.ErrorIs(t, err, credit.ErrDuplicate)
	require.Equal(t, a.Version, e.loan(a.ID).Version)
	owed, err = e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Len(t, owed, 2)

	require.NoError(t, e.store.ApplyEndOfDay(e.ctx, credit.EndOfDayBatch{Date: date.AddDays(1), Posted: []string{"k1", "nope"}}))
	owed, err = e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Equal(t, []credit.LedgerEntry{entry("k2")}, owed)
	require.NoError(t, e.store.MarkEndOfDayPosted(e.ctx, []string{"k2"}))
	owed, err = e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Empty(t, owed)
}

// The batched end of day leaves every loan, every event and every ledger
// balance as the one-loan path does: the same book on two stores, one run
// each way, over two months of days with a due date, loans paid, paid in
// part and not at all, a teller repayment and a prepayment between runs.
func testEndOfDayBatchEqualsPerLoan(t *testing.T, newStore func(*testing.T) credit.Store) {
	type book struct {
		e     *env
		svc   *credit.Service
		ids   []credit.ID
		accts []credit.ID
	}
	books := make([]*book, 2)
	var quiet *quietSpy
	for i := range books {
		e := newEnv(t, newStore)
		store := e.store
		if qs, ok := store.(quietStore); ok && i == 0 {
			quiet = &quietSpy{quietStore: qs}
			store = quiet
		}
		svc, err := credit.NewService(store, credit.WithClock(e.clock), credit.WithCustomers(e.customers),
			credit.WithBureau(e.bureau), credit.WithBehaviour(e.behaviour), credit.WithLedger(e.ledger),
			credit.WithEndOfDayBatch(i == 0), credit.WithEndOfDayPage(2))
		require.NoError(t, err)
		bk := &book{e: e, svc: svc}
		p := e.product("CONSUMER")
		for range 5 {
			l, acct := e.disbursed(p)
			bk.ids, bk.accts = append(bk.ids, l.ID), append(bk.accts, acct)
		}
		e.move(bk.accts[1], "149000.00", "empty-1", true) // never pays
		e.move(bk.accts[2], "144000.00", "part-2", true)  // pays 5,000 of 8,606.64
		e.move(bk.accts[3], "149000.00", "empty-3", true) // pays at the teller later
		e.move(bk.accts[4], "100000.00", "spend-4", true) // pays, and prepays in part
		books[i] = bk
	}
	for d := calendar.MustParseDate("2026-03-02"); !d.After(calendar.MustParseDate("2026-05-06")); d = d.AddDays(1) {
		for _, bk := range books {
			bk.e.clock.Set(d.In(time.UTC).Add(20 * time.Hour))
			switch d.String() {
			case "2026-04-10":
				_, _, err := bk.svc.Repay(bk.e.ctx, bk.ids[3], credit.RepaymentRequest{Amount: cny("9000.00"),
					Source: credit.FromCash, Channel: credit.ChannelBranch, By: "teller-1", Key: "teller-3"})
				require.NoError(t, err)
			case "2026-04-20":
				_, _, err := bk.svc.Prepay(bk.e.ctx, bk.ids[4], credit.PrepaymentRequest{Amount: cny("20000.00"),
					Source: credit.FromAccount, Channel: credit.ChannelMobile, By: "customer", Key: "prepay-4"})
				require.NoError(t, err)
			}
			if d.Weekday() == time.Sunday {
				continue // a day without a run: the next one catches up
			}
			_, err := bk.svc.RunEndOfDay(bk.e.ctx, d)
			require.NoError(t, err, "%s", d)
		}
	}
	batch, perLoan := books[0], books[1]
	if quiet != nil {
		require.Positive(t, quiet.loans, "the quiet end of day brought loans to dates")
	}
	for i := range batch.ids {
		a, b := batch.e.loan(batch.ids[i]), perLoan.e.loan(perLoan.ids[i])
		require.Equal(t, b.Paid, a.Paid, "loan %d", i)
		require.Equal(t, b.Outstanding, a.Outstanding, "loan %d", i)
		require.Equal(t, b.Advance, a.Advance, "loan %d", i)
		sa, sb := a.Standing, b.Standing
		require.Equal(t, sb, sa, "loan %d", i)
		require.Equal(t, b.Repayments, a.Repayments, "loan %d", i)
		require.Equal(t, perLoan.e.balance(perLoan.accts[i]), batch.e.balance(batch.accts[i]), "loan %d's demand account", i)
	}
	for _, c := range []string{credit.ChartInterestReceivable, credit.ChartInterestIncome, credit.ChartFeesReceivable,
		credit.ChartFeesIncome, credit.ChartVaultCash} {
		require.Equal(t, perLoan.e.ledger.ChartBalance(c).StringFixed(2), batch.e.ledger.ChartBalance(c).StringFixed(2), c)
	}
	require.False(t, batch.e.ledger.ChartBalance(credit.ChartFeesIncome).IsZero(), "penalties and late fees were charged")
	// The one-loan path works a page's loans on several workers, so the
	// order across loans is not fixed: the same events, in any order.
	require.ElementsMatch(t, perLoan.e.eventTypes(), batch.e.eventTypes())
	batch.e.requireBooksAgree(batch.ids, "batch")
	require.Less(t, batch.e.ledger.Posted(), perLoan.e.ledger.Posted(), "the batch posts a page's accruals as one entry")
}

// A run cut short after a page was written and before its accrual entry
// was acknowledged posts the entry on the re-run, once; a run cut short
// before, when the entry did not post, posts it too; nothing is accrued
// twice and the ledger's receivable stays the loans'.
func testEndOfDayBatchResumed(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	var ids []credit.ID
	for range 3 {
		l, _ := e.disbursed(p)
		ids = append(ids, l.ID)
	}
	e.eod("2026-03-03")
	e.requireBooksAgree(ids, "3 March")
	posted := e.ledger.Posted()

	e.clock.Set(time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC))
	e.ledger.LoseReplies(1)
	_, err := e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-03-04"))
	require.Error(t, err)
	require.Equal(t, posted+1, e.ledger.Posted(), "the page's entry posted, its reply lost")
	owed, err := e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Len(t, owed, 1, "recorded as owed")
	r, err := e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-03-04"))
	require.NoError(t, err)
	require.Equal(t, 0, r.Processed, "the page was written")
	require.Equal(t, posted+1, e.ledger.Posted(), "replayed, not posted again")
	owed, err = e.store.EndOfDayPostings(e.ctx)
	require.NoError(t, err)
	require.Empty(t, owed)
	e.requireBooksAgree(ids, "4 March")
	for _, id := range ids {
		require.Equal(t, "2026-03-04", e.loan(id).Standing.AsOf.String())
	}

	// The ledger down: the entry stays owed until a run can post it.
	e.clock.Set(time.Date(2026, 3, 5, 20, 0, 0, 0, time.UTC))
	e.ledger.FailPosts(2)
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-03-05"))
	require.Error(t, err)
	require.Equal(t, posted+1, e.ledger.Posted())
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-03-05"))
	require.Error(t, err, "the owed entry cannot post yet")
	r, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-03-05"))
	require.NoError(t, err)
	require.Equal(t, 0, r.Processed)
	require.Equal(t, posted+2, e.ledger.Posted())
	e.requireBooksAgree(ids, "5 March")
}

// Runs of the end of day for one date at once, and repayments (held as
// advance) on the same loans while they run: each loan is brought to
// the date once, and the ledger's receivables and loan accounts equal the
// loans' at the end.
func testEndOfDayBatchRaces(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	var ids []credit.ID
	for range 6 {
		l, _ := e.disbursed(p)
		ids = append(ids, l.ID)
	}
	svc, err := credit.NewService(e.store, credit.WithClock(e.clock), credit.WithLedger(e.ledger), credit.WithEndOfDayPage(2),
		credit.WithEndOfDayPagesAtOnce(2))
	require.NoError(t, err)
	for _, d := range []string{"2026-03-03", "2026-03-04", "2026-03-05"} {
		e.clock.Set(calendar.MustParseDate(d).In(time.UTC).Add(20 * time.Hour))
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.RunEndOfDay(e.ctx, calendar.MustParseDate(d))
				errs <- err
			}()
		}
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := svc.Repay(e.ctx, id, credit.RepaymentRequest{Amount: cny("100.00"), Source: credit.FromAccount,
					Channel: credit.ChannelMobile, By: "customer", Key: d + "/" + string(rune('a'+i))})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		r, err := svc.RunEndOfDay(e.ctx, calendar.MustParseDate(d))
		require.NoError(t, err)
		require.Equal(t, 0, r.Processed, "every loan brought to %s", d)
		e.requireBooksAgree(ids, d)
		for _, id := range ids {
			require.Equal(t, d, e.loan(id).Standing.AsOf.String())
		}
	}
}

// quietStore is a Store with the quiet end of day.
type quietStore interface {
	credit.Store
	credit.QuietEndOfDayStore
}

// quietSpy counts the loans the quiet end of day writes.
type quietSpy struct {
	quietStore
	mu    sync.Mutex
	loans int
}

func (q *quietSpy) ApplyQuiet(ctx context.Context, b credit.QuietBatch) error {
	err := q.quietStore.ApplyQuiet(ctx, b)
	if err == nil {
		q.mu.Lock()
		q.loans += len(b.Loans)
		q.mu.Unlock()
	}
	return err
}
