// Package pgledger is the PostgreSQL backend of package ledger. Its Store
// is a ledger.Store, and also an endofday.Store, a clearing.Store and a
// clearing.ReconStore, so one value serves the ledger and the packages
// built on it. The tables live in their own schema, "ledger", which
// Migrate creates and upgrades from SQL files embedded in the package; it
// is safe to call on every start and from several processes at once.
//
//	db, err := sqlx.Connect("postgres", url)
//	...
//	db.SetMaxOpenConns(32)
//	db.SetMaxIdleConns(32) // keep them: see New
//	if err := pgledger.Migrate(ctx, db); err != nil { ... }
//	store := pgledger.New(db)
//	svc, err := ledger.NewService(store)
//	...
//	eod, err := endofday.NewService(svc, store)
//
// Size the pool for the callers you expect. database/sql keeps only two
// idle connections unless told otherwise (SetMaxIdleConns) and closes
// every other one as soon as it is free, so a busy Store would start a new
// PostgreSQL backend, and prepare its statements again, on most calls.
// Concurrent postings share transactions (at most two post at once per
// Store), so a pool of a few dozen connections serves many callers.
//
// Events go to the shared outbox tables in the ledger schema
// (internal/pgoutbox). Deliver them (Service.Events().Run) from one
// process: two would hand every subscriber each event twice.
//
// All state lives in the database: several processes may share one, and
// every method is safe for concurrent use. Times are kept to the
// microsecond, as timestamptz stores them: what a call returns is what a
// later read returns.
//
// docs/ledger.md (section pgledger) tells how the store posts, what its
// constraints guard, and what to check before running it on CockroachDB
// or YugabyteDB.
package pgledger
