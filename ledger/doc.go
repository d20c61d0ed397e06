// Package ledger is core accounting: a double-entry journal of immutable,
// balanced entries over accounts (customer deposits, loans, and the bank's
// own internal accounts), with deposits, withdrawals, transfers, holds,
// reversals, balances and statements. Every other subsystem moves money
// through it.
//
// # The words of the domain
//
// An Account has a normal side: the side on which its balance grows.
// Deposits are the bank's debts to customers and grow with credits; loans
// and vault cash are the bank's assets and grow with debits. Balances are
// always stated on the normal side, so a customer's deposit balance is
// positive.
//
// An Entry is one business event in the journal: two or more Postings,
// each a positive amount on the debit or credit side of one account, whose
// debits equal their credits in every currency. Entries are never changed
// or deleted; a mistake is corrected by a reversal, a new entry with the
// opposite postings linked to the original. Each entry has a value date
// (the business date it counts for) and a booking time (when it was
// recorded).
//
// The business date is the bank's calendar day, kept by the store and
// moved only by end of day (package ledger/endofday), not by the wall
// clock.
//
// Internal accounts are the bank's side of every entry: vault cash,
// settlement, clearing suspense, interest, fees. SetupChart creates them per
// currency with the well-known codes of DefaultChart; a cash deposit debits vault
// cash and credits the customer.
//
// A balance policy limits how far an account's balance may fall:
// NonNegative, Overdraft(limit), or Unchecked for internal accounts. The
// available balance is the ledger balance minus active holds plus any
// overdraft limit; a withdrawal that would take it below zero is refused
// with ErrInsufficientFunds.
//
// Amounts are bounded by what the books carry: a request's amount by
// money.MaxAmount (ValidateAmount), every posting by money.Capacity. A
// customer's own posting may not take a balance beyond MaxAmount, the
// bank's journal entries (interest, payouts) not beyond Capacity
// (ErrBalanceLimit; see Apply). Free text (descriptions, metadata) is one
// line of UTF-8 without control characters (package text).
//
// A Hold reserves part of the available balance for a payment that is
// authorised now and settled later: captured (all or part, the rest
// released), released, or expired at end of day.
//
// Account statuses: active; frozen_debits (credits only); frozen (nothing);
// dormant (credits; debits after reactivation); closed (nothing, for good).
//
// # Idempotency
//
// Every operation that changes something takes an optional idempotency
// key. The same key with the same request returns the first result and
// changes nothing (Receipt.Replayed); the same key with a different request
// is ErrIdempotencyConflict. Keys are scoped by operation, so a deposit key
// never collides with a hold key.
//
// # Events
//
// Every posted entry is an event, EventEntryPosted, written with the entry
// and delivered at least once, in posting order, through the Feed of
// Service.Events (package event): risk and analytics subscribe to it. The
// payload, EntryPosted, carries ids, amounts and dates, never the entry's
// description or metadata. Accounts and holds publish their changes in the
// same feed (EventAccountOpened, EventAccountStatusChanged, EventHoldPlaced,
// EventHoldCaptured, EventHoldReleased, EventHoldExpired), each written with
// its change.
//
//	svc.Events().Subscribe(ctx, "risk", func(ctx context.Context, e event.Envelope) error { ... })
//	go svc.Events().Run(ctx, time.Second, logError)
//
// # Stores
//
// A Service keeps its records in a Store: ledger/memledger in memory, or
// ledger/pgledger in PostgreSQL. Both pass the contract suite in
// ledger/ledgertest, and both refuse the same requests with the same
// errors, because the posting rules (Apply, AdmitHold) live here and the
// stores only call them under their locks.
//
//	svc, err := ledger.NewService(memledger.New(), ledger.WithClock(clock))
//
// # Around the core
//
// Two packages build on the Service and use only its exported API:
// ledger/endofday closes business dates (interest, time deposits, hold
// expiry, dormancy, the date's advance), and ledger/clearing moves money to
// and from other banks in ISO 20022 messages and reconciles the nostro
// account. Each has a Store of its own, which memledger and pgledger also
// implement. They post under idempotency keys of their own scope
// (PostJournal), so a step cut short by a crash posts nothing twice.
package ledger
