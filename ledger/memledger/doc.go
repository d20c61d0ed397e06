// Package memledger is an in-memory ledger.Store: the fast, faithful fake
// for tests and the default store of the reference server. It refuses the
// same requests with the same errors as the PostgreSQL store (both call
// ledger.Apply), posts each entry atomically and is safe for concurrent
// use. Nothing survives the process. The same Store is also an
// endofday.Store, a clearing.Store and a clearing.ReconStore:
//
//	store := memledger.New()
//	svc, err := ledger.NewService(store)
//	...
//	eod, err := endofday.NewService(svc, store)
//
// One mutex guards the store. Everything that can be done before taking it
// — validating the entry — is, so the critical section of a transfer is a
// few map look-ups, two balance updates and some appends; see
// docs/ledger.md for the measurements behind this choice over per-account
// locks.
//
// Posted entries are kept for as long as the store lives, in a compact
// journal without pointers (see journal.go): fixed-size chunks of records
// and postings, a side table for what is rare or of variable size, and
// per-account histories of record numbers. The garbage collector has
// nothing to scan there, which is what a retained entry used to cost most.
// Reads rebuild ledger.Entry values from it.
package memledger
