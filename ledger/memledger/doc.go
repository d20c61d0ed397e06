// Package memledger is an in-memory ledger.Store: the fast, faithful fake
// for tests and the default store of the reference server. It refuses the
// same requests with the same errors as the PostgreSQL store (both call
// ledger.Apply), posts each entry atomically and is safe for concurrent
// use. Nothing survives the process.
//
// One mutex guards the store. Everything that can be done before taking it
// — validating the entry, summing its movements — is, so the critical
// section of a transfer is a few map look-ups and two balance updates;
// see docs/ledger.md for the measurements behind this choice over
// per-account locks.
package memledger
