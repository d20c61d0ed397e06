package pgledger_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(ctx, db))
	first, err := pgmigrate.Version(ctx, db, pgledger.Schema)
	require.NoError(t, err)
	require.Positive(t, first)
	require.NoError(t, pgledger.Migrate(ctx, db), "a second Migrate must be a no-op")
	again, err := pgmigrate.Version(ctx, db, pgledger.Schema)
	require.NoError(t, err)
	require.Equal(t, first, again)
	var sequencers int
	require.NoError(t, db.Get(&sequencers, `SELECT count(*) FROM ledger.event_sequencer`))
	require.Equal(t, 1, sequencers, "seed rows are not inserted twice")
}

// bank is a Service on a fresh pgledger store with the CNY chart and two
// funded customer accounts, for the tests that look at the tables.
type bank struct {
	db         *sqlx.DB
	svc        *ledger.Service
	alice, bob ledger.Account
}

func newBank(t *testing.T) *bank {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(ctx, db))
	svc, err := ledger.NewService(pgledger.New(db))
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	b := &bank{db: db, svc: svc}
	for _, a := range []*ledger.Account{&b.alice, &b.bob} {
		*a, err = svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "owner", Product: ledger.ProductDemand, Currency: money.CNY})
		require.NoError(t, err)
		_, err = svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("100.00", "CNY")})
		require.NoError(t, err)
	}
	return b
}

// requireCheckViolation asserts that err is PostgreSQL refusing a row
// for the named CHECK constraint.
func requireCheckViolation(t *testing.T, err error, constraint string) {
	t.Helper()
	var pqErr *pq.Error
	require.ErrorAs(t, err, &pqErr)
	require.Equal(t, "23514", string(pqErr.Code), "want a check violation, got %v", err)
	require.Equal(t, constraint, pqErr.Constraint)
}

// The CHECK constraints are backstops behind ledger.Apply: raw SQL that
// breaks a rule must be refused by the database itself.
func TestCheckConstraintsAreBackstops(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	entry := func(debits, credits string) error {
		_, err := b.db.Exec(`INSERT INTO ledger.entries (id, kind, value_date, booked_at, currencies, debits, credits)
			VALUES ($1, 'journal', '2026-03-02', now(), '{CNY}', $2::numeric[], $3::numeric[])`,
			ledger.NewID(), debits, credits)
		return err
	}
	tests := []struct {
		name       string
		exec       func() error
		constraint string
	}{
		{"overdrawn non-negative account", func() error {
			_, err := b.db.Exec(`UPDATE ledger.balances SET balance = balance - 100.01 WHERE account_id = $1`, b.alice.ID)
			return err
		}, "balances_within_policy"},
		{"holds beyond the balance", func() error {
			_, err := b.db.Exec(`UPDATE ledger.balances SET held = 100.01 WHERE account_id = $1`, b.alice.ID)
			return err
		}, "balances_within_policy"},
		{"negative held amount", func() error {
			_, err := b.db.Exec(`UPDATE ledger.balances SET held = -1 WHERE account_id = $1`, b.alice.ID)
			return err
		}, "balances_held_non_negative"},
		{"unbalanced entry", func() error { return entry("{10.00}", "{9.99}") }, "entries_balanced"},
		{"entry without totals", func() error { return entry("{}", "{}") }, "entries_balanced"},
		{"zero posting", func() error {
			_, err := b.db.Exec(`INSERT INTO ledger.postings (entry_id, idx, account_id, side, amount, currency, value_date)
				VALUES ($1, 0, $2, 'debit', 0, 'CNY', '2026-03-02')`, ledger.NewID(), b.alice.ID)
			return err
		}, "postings_amount_check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireCheckViolation(t, tc.exec(), tc.constraint)
		})
	}

	// Within the limits the same statements succeed: the constraints
	// refuse exactly what breaks the rule.
	_, err := b.db.Exec(`UPDATE ledger.balances SET held = 100.00 WHERE account_id = $1`, b.alice.ID)
	require.NoError(t, err)
	require.NoError(t, entry("{10.00}", "{10.0}"))
}

// An overdraft account's floor is minus its limit.
func TestCheckConstraintFollowsOverdraftLimit(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	od, err := b.svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "owner", Product: ledger.ProductDemand,
		Currency: money.CNY, Policy: ledger.Overdraft(money.MustParse("50.00", "CNY").Amount)})
	require.NoError(t, err)
	_, err = b.db.Exec(`UPDATE ledger.balances SET balance = -50.00 WHERE account_id = $1`, od.ID)
	require.NoError(t, err)
	_, err = b.db.Exec(`UPDATE ledger.balances SET balance = -50.01 WHERE account_id = $1`, od.ID)
	requireCheckViolation(t, err, "balances_within_policy")
}

// A reversal may leave an account below its floor (the money was spent);
// the backstop lets exactly that shortfall stand and no further debit.
func TestReversalShortfallIsExcusedOnce(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	dep, err := b.svc.Deposit(ctx, ledger.DepositRequest{AccountID: b.alice.ID, Amount: money.MustParse("50.00", "CNY")})
	require.NoError(t, err)
	_, err = b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: b.alice.ID, ToAccountID: b.bob.ID,
		Amount: money.MustParse("120.00", "CNY")})
	require.NoError(t, err)
	_, err = b.svc.Reverse(ctx, ledger.ReversalRequest{EntryID: dep.Entry.ID})
	require.NoError(t, err)
	a, err := b.svc.Account(ctx, b.alice.ID)
	require.NoError(t, err)
	require.Equal(t, "-20.00", a.Balance.ValueString(), "100 + 50 - 120 - 50")

	_, err = b.db.Exec(`UPDATE ledger.balances SET balance = balance - 0.01 WHERE account_id = $1`, b.alice.ID)
	requireCheckViolation(t, err, "balances_within_policy")

	// A deposit that covers part of the shortfall shrinks what is excused.
	_, err = b.svc.Deposit(ctx, ledger.DepositRequest{AccountID: b.alice.ID, Amount: money.MustParse("5.00", "CNY")})
	require.NoError(t, err)
	var excused decimal.Decimal
	require.NoError(t, b.db.Get(&excused, `SELECT excused FROM ledger.balances WHERE account_id = $1`, b.alice.ID))
	require.True(t, excused.Equal(decimal.RequireFromString("15")), "excused %s, want 15 (20 short, 5 repaid)", excused)
}

// The outbox row is written in the entry's transaction: a refused entry
// leaves none, and every posted entry has exactly one.
func TestOutboxRowOnlyWithTheEntry(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	count := func() (n int) {
		require.NoError(t, b.db.Get(&n, `SELECT count(*) FROM ledger.event_outbox`))
		return n
	}
	before := count()
	_, err := b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: b.alice.ID, ToAccountID: b.bob.ID,
		Amount: money.MustParse("100.01", "CNY")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	require.Equal(t, before, count(), "a refused entry writes no outbox row")

	ok, err := b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: b.alice.ID, ToAccountID: b.bob.ID,
		Amount: money.MustParse("1.00", "CNY")})
	require.NoError(t, err)
	require.Equal(t, before+1, count())
	var n int
	require.NoError(t, b.db.Get(&n, `SELECT count(*) FROM ledger.event_outbox WHERE event_id = $1`, ok.Entry.ID))
	require.Equal(t, 1, n)

	var entries, minimal int
	require.NoError(t, b.db.Get(&entries, `SELECT count(*) FROM ledger.entries`))
	require.NoError(t, b.db.Get(&minimal, `SELECT count(*) FROM ledger.event_outbox WHERE payload IS NULL`))
	require.Equal(t, entries, minimal, "one minimal outbox row per entry (account and hold events are whole rows)")
}

// Events numbers rows as they are read, so a row whose transaction
// commits late still gets a sequence above every one handed out before.
func TestEventsNeverFillAGapBehindAReader(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	store := pgledger.New(b.db)

	// A posting transaction that has written its outbox row but not yet
	// committed, simulated with raw SQL on its own connection.
	tx, err := b.db.Beginx()
	require.NoError(t, err)
	defer tx.Rollback()
	late := ledger.NewID()
	_, err = tx.Exec(`INSERT INTO ledger.event_outbox (event_id) VALUES ($1)`, late)
	require.NoError(t, err)

	_, err = b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: b.alice.ID, ToAccountID: b.bob.ID,
		Amount: money.MustParse("1.00", "CNY")})
	require.NoError(t, err)
	seen, err := store.Events().Read(ctx, 0, 100)
	require.NoError(t, err)
	last := seen[len(seen)-1].Sequence

	// The late row commits now (with an entry, so its event can be rendered).
	_, err = tx.Exec(`INSERT INTO ledger.entries (id, kind, value_date, booked_at, currencies, debits, credits)
		VALUES ($1, 'journal', '2026-03-02', now(), '{CNY}', '{1}', '{1}')`, late)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO ledger.postings (entry_id, idx, account_id, side, amount, currency, value_date)
		VALUES ($1, 0, $2, 'debit', 1, 'CNY', '2026-03-02'), ($1, 1, $3, 'credit', 1, 'CNY', '2026-03-02')`,
		late, b.alice.ID, b.bob.ID)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())

	more, err := store.Events().Read(ctx, last, 100)
	require.NoError(t, err)
	require.Len(t, more, 1)
	require.Equal(t, late, more[0].ID)
	require.Equal(t, last+1, more[0].Sequence, "the late row comes after what the reader has seen")
}

// A page of events is rendered from its entries, each the same event the
// entry itself makes; an outbox row whose entry is missing fails the read
// rather than being skipped.
func TestEventsRenderedFromEntries(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	store := pgledger.New(b.db)
	var want []ledger.Entry
	for i := range 3 {
		r, err := b.svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: b.alice.ID, ToAccountID: b.bob.ID,
			Amount: money.MustParse(fmt.Sprintf("%d.25", i+1), "CNY"), Description: "rent", Metadata: map[string]string{"flat": "3"}})
		require.NoError(t, err)
		want = append(want, r.Entry)
	}
	all, err := store.Events().Read(ctx, 0, 100) // the chart's and accounts' openings, the funding deposits, ...
	require.NoError(t, err)
	require.Greater(t, len(all), len(want))
	got := all[len(all)-len(want):]
	last := all[len(all)-1].Sequence
	for i, e := range want {
		ev, err := ledger.EntryPostedEvent(e)
		require.NoError(t, err)
		ev.Source, ev.Sequence = ledger.EventSource, last-int64(len(want)-1-i)
		require.Equal(t, ev, got[i])
	}

	_, err = b.db.Exec(`INSERT INTO ledger.event_outbox (event_id) VALUES ($1)`, ledger.NewID())
	require.NoError(t, err)
	_, err = store.Events().Read(ctx, last, 100)
	require.ErrorContains(t, err, "missing entry")
}

// Internal accounts spread their postings over shard rows, and their
// balance is the sum of the shards: the trial balance still nets to zero.
func TestHotAccountSpreadsOverShards(t *testing.T) {
	t.Parallel()
	b := newBank(t)
	ctx := context.Background()
	const deposits = 40
	var wg sync.WaitGroup
	errs := make([]error, deposits)
	for i := range deposits {
		wg.Go(func() {
			_, errs[i] = b.svc.Deposit(ctx, ledger.DepositRequest{AccountID: b.alice.ID, Amount: money.MustParse("1.00", "CNY")})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	vault, err := b.svc.ChartAccount(ctx, money.CNY, ledger.CodeVaultCash)
	require.NoError(t, err)
	var used int
	require.NoError(t, b.db.Get(&used, `SELECT count(*) FROM ledger.balances WHERE account_id = $1 AND balance <> 0`, vault.ID))
	require.Greater(t, used, 1, "vault cash postings all landed on one row")
	// 100 + 100 opening deposits and 40 of 1.00, all debited to the vault.
	require.Equal(t, "240.00", vault.Balance.ValueString())
	tb, err := b.svc.TrialBalance(ctx, money.CNY)
	require.NoError(t, err)
	require.True(t, tb.Difference.IsZero())
}

// PostgreSQL keeps microseconds; what a call returns must be what a later
// read returns, even when the clock has nanoseconds.
func TestTimesRoundTripExactly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(ctx, db))
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 30, 0, 123456789, time.UTC))
	svc, err := ledger.NewService(pgledger.New(db), ledger.WithClock(clock))
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	readA, err := svc.Account(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a.CreatedAt, readA.CreatedAt)

	clock.Advance(time.Nanosecond)
	dep, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("10.00", "CNY")})
	require.NoError(t, err)
	readE, err := svc.Entry(ctx, dep.Entry.ID)
	require.NoError(t, err)
	require.Equal(t, dep.Entry.BookedAt, readE.BookedAt)
	require.Equal(t, 123456000, readE.BookedAt.Nanosecond(), "kept to the microsecond")

	h, err := svc.PlaceHold(ctx, ledger.HoldRequest{AccountID: a.ID, Amount: money.MustParse("1.00", "CNY"),
		ExpiresAt: clock.Now().Add(time.Hour + 999)})
	require.NoError(t, err)
	readH, err := svc.Hold(ctx, h.Hold.ID)
	require.NoError(t, err)
	require.Equal(t, h.Hold.CreatedAt, readH.CreatedAt)
	require.Equal(t, h.Hold.ExpiresAt, readH.ExpiresAt)
}
