// Package pgledger is the PostgreSQL backend of package ledger: a
// ledger.Store whose tables live in their own schema, "ledger", created and
// upgraded by Migrate from SQL files embedded in the package.
//
//	db, _ := sqlx.Connect("postgres", url)
//	db.SetMaxOpenConns(32)
//	db.SetMaxIdleConns(32) // keep them: see New
//	if err := pgledger.Migrate(ctx, db); err != nil { ... }
//	svc := ledger.NewService(pgledger.New(db))
//
// # Tables and backstops
//
// Amounts are NUMERIC. The business rules run in Go (ledger.Apply, under
// row locks), and CHECK constraints stand behind them so that a bug cannot
// write a ledger that does not add up:
//
//   - balances_within_policy: a checked account's balance - held never
//     falls below its floor (0, or minus the overdraft limit). Reversals may
//     overdraw an account by design; the row's "excused" column records that
//     shortfall, and it can only shrink afterwards.
//   - entries_balanced: each entry stores its debit and credit totals per
//     currency, computed by the inserting statement from the very postings
//     it inserts, and they must be equal. A deferred constraint trigger over
//     the postings would need PL/pgSQL and a query per entry at commit; this
//     costs nothing extra and catches the same class of bug at the only
//     place postings are written.
//   - postings.amount > 0, held >= 0, and unique indexes on idempotency keys
//     (entries, accounts, holds) and on entries.reverses (an entry is
//     reversed at most once).
//
// # Posting
//
// A single entry (the common case: one transfer, deposit or withdrawal)
// takes two round trips of its own: read the entry's balance rows and the
// idempotency key without locking, decide in Go with ledger.Apply, then one
// statement that locks the rows in account order (SELECT ... ORDER BY
// account FOR UPDATE, the one order every path uses, so postings cannot
// deadlock), checks that they still hold what Apply saw, and only then
// inserts the entry, its postings and its outbox row and updates the
// balances, committing as it ends. With the Service's business-date read
// that is three round trips, against seven for pgbench's TPC-B-like
// transaction. If a row changed in between, the statement writes nothing
// and the entry takes the batch path below, deciding under the locks.
//
// Concurrent postings share that work. Every PostEntries call joins a
// queue; at most two callers at a time lead, each posting what the queue
// holds (whole calls, up to 1,000 entries, or one larger call alone) as one
// batch — a group of single entries optimistically as above first — each
// entry still decided on its own, and handing each caller its own results.
// With one caller the queue is always empty and nothing waits; under load
// the queue fills while the leaders work, so the commit, the round trips
// and the statements' fixed cost are paid once per group, and concurrent
// batches do not spend the database on each other's row locks. A
// caller whose context ends while it waits is answered with its error and
// its entries are left out; a group that has started runs on unless every
// caller in it has given up. Concurrent BusinessDate calls likewise share
// a read, one that starts after each of them asked.
//
// A batch is one transaction of a fixed number of round trips, whatever its
// size: BEGIN; lock one balance row per account, in account order; read
// the idempotency keys and reversals the batch names (after the locks, so a
// concurrent request on the same accounts has committed and is seen);
// decide each entry in Go, in order; write every passing entry, its
// postings, the balance deltas, captured holds and outbox rows in one
// statement of data-modifying CTEs over unnest($n) arrays; COMMIT.
// A lost race for a unique key starts over, where it becomes a replay (or
// a conflict); serialization failures and deadlocks are retried by
// internal/pgtx.
//
// The reading, locking and writing statements are PL/pgSQL functions
// (migrations/0300) that pin their generic plan. As plain prepared
// statements, PostgreSQL's plan cache compared the generic plan, which
// must guess how long the parameter arrays are, with plans for each call's
// actual arrays, found the latter cheaper, and so planned nearly every call
// — which cost more than running the statement. Every lookup in them is a
// primary-key probe, so one plan fits every array length.
//
// A batch of several entries first locks with SKIP LOCKED and posts the
// entries whose rows it got; the rest, and any later entry that shares an
// account, key or reversed entry with them, go to a next transaction, and
// the last round (the third) waits for its locks. Without that, concurrent
// batches of random transfers, which nearly always share some account,
// queue in a convoy: each holds the rows it has while it waits for the next.
//
// # Hot accounts
//
// The bank's internal accounts (vault cash, settlement, interest expense)
// take part in nearly every entry. They are unchecked (ledger.Unchecked):
// no rule looks at their balance, so there is nothing to serialize on. Each
// has Shards (32) balance rows instead of one; an entry updates one shard
// at random and the balance is the sum. The first posting a Store sees on
// an account uses shard 0 and teaches it that the account is unchecked;
// later ones spread. A hold captured from an unchecked account uses shard
// 0, where held amounts live. Closing or freezing an internal account
// (UpdateAccount) locks all of its shards, so no posting interleaves.
// Status is copied onto every balance row, so a posting reads the status
// under the same lock as the balance.
//
// Deriving internal balances from the postings instead would make a
// balance read a scan of the account's whole history; sharding keeps reads
// to 32 rows and writes to one. Measured with cmd/ledgerbench (15 s per
// workload in 3 interleaved rounds, 10,000 accounts, an idle 2-core
// machine), the hot-account run, where every transaction is a cash deposit
// debiting the one vault cash account, posted 1.05x, 1.13x and 1.31x the
// TPS of uniform transfers between customer accounts at 1, 8 and 32
// clients: the hot account costs nothing measurable.
//
// Times are kept to the microsecond, as timestamptz stores them: the Store
// truncates BookedAt, CreatedAt and the hold times it is given, so what a
// call returns is what a later read returns.
//
// # Events
//
// Every posted entry writes one outbox row in its own transaction. Its
// sequence number is not drawn then: transactions commit out of order, so a
// number drawn at insert could become visible after a higher one a
// subscriber has already passed. Events instead numbers the committed rows
// that have none, in insertion order, under a lock on the single sequencer
// row, and then reads by sequence. A row that commits later always gets a
// later number; delivery is at least once, by the Service's cursors.
//
// # Portability
//
// The SQL keeps to what CockroachDB and YugabyteDB also accept: no triggers
// of our own, no advisory locks in the posting path. Exceptions to check on
// such a database: the posting functions of migrations/0300 (PL/pgSQL with
// SET clauses, which YugabyteDB runs as PostgreSQL does; on CockroachDB,
// run each function's one statement as a prepared statement instead — the
// statements are plain SQL written to run as they are), FOR UPDATE ...
// SKIP LOCKED in batches (not every version of those databases has it),
// bigserial for the outbox's insertion order, and pgmigrate's advisory
// lock while migrating.
package pgledger
