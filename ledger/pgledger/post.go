package pgledger

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
)

// maxKeyRaces bounds how often PostEntries starts over after losing a race
// on an idempotency key or a reversal to a concurrent transaction. Each
// retry sees the winner's row, so a second attempt normally settles it.
const maxKeyRaces = 5

// maxSkipRounds is how many rounds of a batch lock with SKIP LOCKED before
// the last round waits for its locks.
const maxSkipRounds = 2

// PostEntries implements ledger.Store. A batch costs a fixed number of
// round trips, whatever its size: lock every balance row it touches once,
// in account order; read the idempotency keys, reversals and captured
// holds it names; decide each entry in Go with ledger.Apply against the
// locked rows; then write all passing entries, postings, balances, holds
// and outbox rows in one statement.
//
// Many batches at once would queue behind each other's locks: a batch of
// a hundred random transfers almost surely shares an account with every
// other, and waiting for one row while holding the rows before it turns
// the queue into a convoy. So a batch of more than one entry first locks
// with SKIP LOCKED and posts the entries whose rows it got; the entries it
// could not lock, and every later entry that shares an account, a key or
// a reversed entry with them (so the batch's order still holds), move to
// a next round in a new transaction. The last round waits for its locks.
//
// Calls go through a queue that merges concurrent ones into shared
// batches and bounds how many post at once (see coalesce.go).
func (s *Store) PostEntries(ctx context.Context, reqs []ledger.PostRequest) ([]ledger.PostResult, error) {
	if len(reqs) == 0 {
		return []ledger.PostResult{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.postQueued(ctx, reqs)
}

// postEntries is PostEntries without the queue. With optimistic, or for a
// single entry, it first tries postIfUnchanged: right for entries that
// seldom share rows with concurrent ones, like the queue's, and wrong for a
// caller's large batch, which would mostly meet changed rows and then pay
// twice.
//
// gate, if not nil, is the one caller's ledger.WaitBeforePost: it runs
// after the fast path's reads and before its write, or before the locking
// path's first transaction (never while rows are locked); its error is the
// call's, with nothing written.
func (s *Store) postEntries(ctx context.Context, reqs []ledger.PostRequest, optimistic bool, gate func() error) ([]ledger.PostResult, error) {
	b := newBatch(reqs)
	b.stmts, b.unchecked, b.gate, b.outbox = s.stmts, &s.unchecked, gate, s.outbox
	if err := s.stmts.Warm(ctx, postingStatements...); err != nil {
		return nil, err
	}
	if err := s.loadClasses(ctx, b); err != nil {
		return nil, err
	}
	if (optimistic || len(b.todo) == 1) && !b.captures() && !b.countsOutflows() && !b.hasRefs() {
		done, err := s.postIfUnchanged(ctx, b)
		if err != nil {
			return nil, err
		}
		if done {
			b.todo = nil
		}
	}
	if len(b.todo) > 0 {
		if err := b.wait(); err != nil {
			return nil, err
		}
	}
	for round := 0; len(b.todo) > 0; round++ {
		b.skipLocked = round < maxSkipRounds && len(b.todo) > 1
		if err := s.postRound(ctx, b); err != nil {
			return nil, err
		}
		b.todo = b.deferred
	}
	for i, id := range b.replayOf {
		e, err := s.Entry(ctx, id)
		if err != nil {
			return nil, err
		}
		b.results[i] = ledger.PostResult{Entry: e, Replayed: true}
	}
	return b.results, nil
}

// postRound posts b.todo in one transaction, starting over if it loses a
// race for an idempotency key or a reversal.
func (s *Store) postRound(ctx context.Context, b *batch) error {
	for race := 0; ; race++ {
		err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
			b.reset()
			return b.post(ctx, tx)
		})
		if err == nil {
			return nil
		}
		if !lostKeyRace(err) || race == maxKeyRaces {
			return err
		}
	}
}

// lostKeyRace reports whether err is a concurrent transaction having used
// the same idempotency key, or reversed the same entry, first.
func lostKeyRace(err error) bool {
	return pgtx.IsUniqueViolation(err, "entries_idempotency_key") ||
		pgtx.IsUniqueViolation(err, "entries_reverses_key") ||
		pgtx.IsUniqueViolation(err, "entry_refs_unique")
}

// batch is the working state of one PostEntries call.
type batch struct {
	stmts     *pgstmt.Cache
	unchecked *sync.Map // IDs of the unchecked accounts seen so far
	reqs      []ledger.PostRequest
	entries   []ledger.Entry      // private copies of the valid entries
	moves     [][]ledger.Movement // entries[i].Movements()
	results   []ledger.PostResult

	// gate is the caller's ledger.WaitBeforePost, or nil (see postEntries).
	gate func() error
	// outbox takes the hold_captured events of captures, written whole
	// in the posting transaction (captures always take the locking path).
	outbox *pgoutbox.Outbox

	// todo are the indexes of the entries of this round, in request
	// order; at first those that passed Validate.
	todo       []int
	skipLocked bool

	// Filled by post, reset before each attempt.
	replayOf map[int]ledger.ID  // result index -> earlier entry to return
	rows     map[ledger.ID]*row // locked balance row per account
	holds    map[ledger.ID]*ledger.Hold
	posted   []int // indexes of entries to write, in request order
	captured []ledger.ID
	deferred []int // indexes of entries left for the next round

	// The class rules (post_classes.go): the Store's cache of classes,
	// and the outflow usage read under the locks with what the batch
	// adds to it.
	classes           *classCache
	classInfo         map[ledger.ID]classInfo // what the batch read of the cache, or of the accounts
	usage, usageDelta map[usageKey]decimal.Decimal
}

// row is one locked balance row and what the batch does to it.
type row struct {
	account ledger.Account // as it stands after the entries decided so far
	shard   int
	changed bool
	excuse  bool // a reversal moved it; it may end below its floor
	// lockedBalance and lockedHeld are the row's values as locked.
	lockedBalance, lockedHeld decimal.Decimal
}

func newBatch(reqs []ledger.PostRequest) *batch {
	b := &batch{
		reqs:    reqs,
		entries: make([]ledger.Entry, len(reqs)),
		moves:   make([][]ledger.Movement, len(reqs)),
		results: make([]ledger.PostResult, len(reqs)),
	}
	for i, r := range reqs {
		e := r.Entry
		if err := e.Validate(); err != nil {
			b.results[i].Err = err
			continue
		}
		e.Postings = slices.Clone(e.Postings)
		e.Metadata = maps.Clone(e.Metadata)
		e.ReversedBy = ledger.NilID
		e.BookedAt = stored(e.BookedAt)
		b.entries[i] = e
		b.moves[i] = e.Movements()
		b.todo = append(b.todo, i)
	}
	return b
}

// captures reports whether any entry of the batch captures a hold.
func (b *batch) captures() bool {
	for _, i := range b.todo {
		if b.entries[i].HoldID != ledger.NilID {
			return true
		}
	}
	return false
}

// reset forgets what an attempt of the current round decided.
func (b *batch) reset() {
	if b.replayOf == nil {
		b.replayOf = map[int]ledger.ID{}
	}
	for _, i := range b.todo {
		b.results[i] = ledger.PostResult{}
		delete(b.replayOf, i)
	}
	b.deferred = b.deferred[:0:0]
	b.rows = map[ledger.ID]*row{}
	b.holds = map[ledger.ID]*ledger.Hold{}
	b.posted = b.posted[:0]
	b.captured = b.captured[:0]
	b.usage, b.usageDelta = nil, nil
}

// post runs one attempt inside tx.
func (b *batch) post(ctx context.Context, tx *sqlx.Tx) error {
	if err := b.lockHolds(ctx, tx); err != nil {
		return err
	}
	if err := b.lockRows(ctx, tx); err != nil {
		return err
	}
	if err := b.readClassUsage(ctx, tx); err != nil {
		return err
	}
	if err := b.readBindings(ctx, tx); err != nil {
		return err
	}
	// Read keys and reversals only now: a concurrent request with the same
	// key, or reversing the same entry, locks the same rows, so it has
	// committed by now and these reads see it. (Requests that touch only
	// unchecked shards need not meet here; the unique indexes catch them
	// and PostEntries starts over.)
	keys, err := b.readKeys(ctx, tx)
	if err != nil {
		return err
	}
	reversed, err := b.readReversed(ctx, tx)
	if err != nil {
		return err
	}
	refs, err := b.readRefs(ctx, tx)
	if err != nil {
		return err
	}
	b.decide(keys, reversed, refs)
	if len(b.posted) == 0 {
		return nil
	}
	if err := b.write(ctx, tx); err != nil {
		return err
	}
	if err := b.writeRefs(ctx, tx); err != nil {
		return err
	}
	if err := b.writeCaptureEvents(ctx, tx); err != nil {
		return err
	}
	return b.writeClassUsage(ctx, tx)
}

// writeCaptureEvents appends a ledger.hold_captured event per hold the
// batch captured, after the entries' own events, in the transaction that
// writes them.
func (b *batch) writeCaptureEvents(ctx context.Context, tx *sqlx.Tx) error {
	if len(b.captured) == 0 {
		return nil
	}
	evs := make([]event.Envelope, len(b.captured))
	for i, id := range b.captured {
		ev, err := ledger.HoldChangedEvent(*b.holds[id])
		if err != nil {
			return err
		}
		evs[i] = ev
	}
	return b.outbox.Append(ctx, tx, evs...)
}

// earlier is what an idempotency key was used for.
type earlier struct {
	id ledger.ID
	fp []byte
}

// decide runs the posting rule on each entry in request order against the
// locked rows, so each entry sees the effect of those before it.
func (b *batch) decide(keys map[string]earlier, reversed map[ledger.ID]bool, refs map[ledger.ExternalRef]ledger.ID) {
	var w waits
	for _, i := range b.todo {
		e := &b.entries[i]
		fp := b.reqs[i].Fingerprint
		if b.skipLocked && w.mustWait(e, b.moves[i], b.rows) {
			b.deferred = append(b.deferred, i)
			continue
		}
		if e.IdempotencyKey != "" {
			if k, ok := keys[e.IdempotencyKey]; ok {
				if string(k.fp) != string(fp[:]) {
					b.results[i].Err = fmt.Errorf("%w: key %q", ledger.ErrIdempotencyConflict, e.IdempotencyKey)
				} else {
					b.replayOf[i] = k.id
				}
				continue
			}
		}
		if e.Reverses != ledger.NilID && reversed[e.Reverses] {
			b.results[i].Err = fmt.Errorf("%w: entry %s", ledger.ErrAlreadyReversed, e.Reverses)
			continue
		}
		if id, taken := refs[e.ExternalRef]; taken && !e.ExternalRef.IsZero() {
			b.results[i].Err = ledger.RefTaken("entry", e.ExternalRef, id)
			continue
		}
		if err := b.apply(e, b.moves[i]); err != nil {
			b.results[i].Err = err
			continue
		}
		b.results[i] = ledger.PostResult{Entry: *e}
		b.results[i].Entry.Postings = slices.Clone(e.Postings)
		b.results[i].Entry.Metadata = maps.Clone(e.Metadata)
		b.posted = append(b.posted, i)
		if e.IdempotencyKey != "" {
			keys[e.IdempotencyKey] = earlier{id: e.ID, fp: fp[:]}
		}
		if e.Reverses != ledger.NilID {
			reversed[e.Reverses] = true
		}
		if !e.ExternalRef.IsZero() {
			refs[e.ExternalRef] = e.ID
		}
	}
}

// waits tracks what the entries deferred to the next round touch, so that
// no later entry of the batch overtakes them there.
type waits struct {
	accounts map[ledger.ID]bool
	keys     map[string]bool
	reversed map[ledger.ID]bool
	refs     map[ledger.ExternalRef]bool
}

// mustWait reports whether e must go to the next round: one of its rows
// was locked elsewhere, or an earlier deferred entry shares an account, a
// key, a reversed entry or an external reference with it. If so it records e's own.
func (w *waits) mustWait(e *ledger.Entry, moves []ledger.Movement, locked map[ledger.ID]*row) bool {
	wait := (e.IdempotencyKey != "" && w.keys[e.IdempotencyKey]) ||
		(e.Reverses != ledger.NilID && w.reversed[e.Reverses]) ||
		(!e.ExternalRef.IsZero() && w.refs[e.ExternalRef])
	for _, m := range moves {
		if _, ok := locked[m.AccountID]; !ok || w.accounts[m.AccountID] {
			wait = true
		}
	}
	if !wait {
		return false
	}
	if w.accounts == nil {
		w.accounts, w.keys, w.reversed, w.refs = map[ledger.ID]bool{}, map[string]bool{}, map[ledger.ID]bool{}, map[ledger.ExternalRef]bool{}
	}
	for _, m := range moves {
		w.accounts[m.AccountID] = true
	}
	w.keys[e.IdempotencyKey] = true
	w.reversed[e.Reverses] = true
	w.refs[e.ExternalRef] = true
	return true
}

// apply checks one entry with ledger.Apply on copies of the locked rows
// and, if it passes, makes its effect the rows' new state.
func (b *batch) apply(e *ledger.Entry, moves []ledger.Movement) error {
	accts := make([]ledger.Account, len(moves))
	for j, m := range moves {
		r, ok := b.rows[m.AccountID]
		if !ok {
			return notFound("account", m.AccountID)
		}
		accts[j] = r.account
	}
	var hold *ledger.Hold
	if e.HoldID != ledger.NilID {
		h, ok := b.holds[e.HoldID]
		if !ok {
			return notFound("hold", e.HoldID)
		}
		copied := *h
		hold = &copied
	}
	if err := ledger.Apply(*e, moves, accts, hold); err != nil {
		return err
	}
	if err := b.applyClass(e, moves, accts); err != nil {
		return err
	}
	for j, m := range moves {
		r := b.rows[m.AccountID]
		r.account = accts[j]
		r.changed = true
		r.excuse = r.excuse || e.Kind == ledger.KindReversal
	}
	if hold != nil {
		*b.holds[hold.ID] = *hold
		b.captured = append(b.captured, hold.ID)
	}
	return nil
}

// shardFor picks the balance row the batch updates for an account. A
// checked account has only shard 0. An unchecked account gets a random
// shard, except when the batch captures a hold on it (held amounts live
// in shard 0), or before this Store has seen the account at all: shard 0
// is correct for every account, and the lock query then teaches the Store
// which accounts are unchecked (policies never change).
func (b *batch) shardFor(id ledger.ID) int {
	if _, ok := b.unchecked.Load(id); !ok {
		return 0
	}
	for _, h := range b.holds {
		if h.AccountID == id {
			return 0
		}
	}
	return rand.IntN(Shards)
}

// wait runs the batch's gate, if any.
func (b *batch) wait() error {
	if b.gate == nil {
		return nil
	}
	return b.gate()
}
