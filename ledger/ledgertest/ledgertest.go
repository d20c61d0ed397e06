// Package ledgertest is the contract suite for ledger.Store: every backend
// runs it (memledger always, pgledger against a real PostgreSQL), and so can
// anyone who writes another. The tests drive the store through
// ledger.Service, so they prove the behaviour users see, with the same
// errors and the same atomicity on every backend.
package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/internal/suite"
)

// NewStore returns a fresh, empty store for one test.
type NewStore func(t *testing.T) ledger.Store

type test = suite.Test[*fixture]

// Run runs the whole suite, each named subtest on a fresh store from
// newStore. Subtests run in parallel.
func Run(t *testing.T, newStore NewStore) {
	suite.Run(t, func(t *testing.T) *fixture { return newFixture(t, newStore) },
		accountTests, postingTests, holdTests, captureTests, reversalTests,
		idempotencyTests, readTests, eventTests, batchTests, journalTests, boundTests, concurrencyTests, modelTests, classTests, classExternalTests, externalRefTests, objectEventTests)
}

// fixture is a bank over a fresh store (see suite.Bank).
type fixture struct {
	*suite.Bank
	newStore NewStore
}

func newFixture(t *testing.T, newStore NewStore) *fixture {
	t.Helper()
	return &fixture{Bank: suite.NewBank(t, newStore(t)), newStore: newStore}
}

// Shorthands for the shared helpers.
var (
	start           = suite.Start
	cny             = suite.CNY
	usd             = suite.USD
	requireInvalid  = suite.RequireInvalid
	requirePostings = suite.RequirePostings
)
