package memledger

import (
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/shopspring/decimal"
)

// The journal keeps every posted entry for as long as the store lives, so
// its form decides what a posting costs: memory the garbage collector has to
// scan again on every cycle, and fresh memory to allocate and zero. It is
// therefore kept without pointers. An entry is a record in fixed-size
// chunks; its postings are consecutive items of a second chunked sequence,
// each an account index, a side and the amount as an int64 coefficient
// with its exponent (the currency is the account's: Apply refuses a posting
// in another currency). BookedAt is Unix nanoseconds plus an index into a
// small table of locations. Whatever is rare or of variable size — the
// description, metadata, idempotency key, the reversed entry, the captured
// hold, an amount whose coefficient may not fit an int64, a time outside
// the Unix-nanosecond range or in a location beyond the table's 255 — goes
// to a side table keyed by the record's index, only when the entry has it.
// Readers (Entry, Events, statements, balances, metadata) rebuild what they
// need from these parts; a rebuilt entry is the posted one field for field,
// amounts with the same coefficient and exponent, BookedAt the same instant
// in the same location (without the monotonic clock reading of time.Now,
// which pgledger does not keep either).
//
// Record i is also event i+1 of the outbox: every posted entry is an event,
// in posting order.

// chunkBits sets the chunk size of the journal's sequences: 4096 items, one
// allocation each.
const chunkBits = 12

const chunkSize = 1 << chunkBits

// chunked is an append-only sequence stored in fixed-size chunks, so that
// growing it never copies what it holds. With a pointer-free T the chunks
// are never scanned by the garbage collector.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

func (c *chunked[T]) push(v T) {
	if c.n>>chunkBits == len(c.chunks) {
		c.chunks = append(c.chunks, make([]T, chunkSize))
	}
	c.chunks[c.n>>chunkBits][c.n&(chunkSize-1)] = v
	c.n++
}

func (c *chunked[T]) at(i int) *T {
	return &c.chunks[i>>chunkBits][i&(chunkSize-1)]
}

// record is one posted entry. It holds no pointers.
type record struct {
	id ledger.ID
	// bookedAt is BookedAt in Unix nanoseconds, in location locs[loc-1];
	// with loc 0 the time is in the side table.
	bookedAt int64
	// postings are journal.postings[firstPosting:firstPosting+nPostings];
	// with nPostings 0 they are in the side table.
	firstPosting int64
	valueDate    int32 // packDate
	kind         uint8 // kinds[kind]
	loc          uint8
	nPostings    uint8
	hasExtra     bool
}

// posting is one posting of a record. account is the account's index in
// Store.accountList, with sideCredit set for a credit; the amount is
// decimal.New(coef, exp) in the account's currency.
type posting struct {
	coef    int64
	exp     int32
	account uint32
}

// sideCredit marks a credit posting in posting.account. Account indexes
// stay below it (CreateAccount refuses more accounts).
const sideCredit = 1 << 31

// extra is what a record keeps in the side table.
type extra struct {
	key         string
	description string
	metadata    map[string]string
	reverses    ledger.ID
	holdID      ledger.ID
	bookedAt    time.Time        // when record.loc is 0
	postings    []ledger.Posting // when record.nPostings is 0
}

// kinds maps record.kind to entry kinds; index 0 is unused.
var kinds = [...]ledger.EntryKind{"", ledger.KindDeposit, ledger.KindWithdrawal, ledger.KindTransfer,
	ledger.KindCapture, ledger.KindReversal, ledger.KindJournal}

func kindCode(k ledger.EntryKind) uint8 {
	switch k {
	case ledger.KindDeposit:
		return 1
	case ledger.KindWithdrawal:
		return 2
	case ledger.KindTransfer:
		return 3
	case ledger.KindCapture:
		return 4
	case ledger.KindReversal:
		return 5
	case ledger.KindJournal:
		return 6
	}
	panic("memledger: unknown entry kind " + string(k)) // Validate refuses it first
}

// maxLocations is how many distinct locations BookedAt times are kept
// compactly in; a time in any further location goes to the side table.
const maxLocations = math.MaxUint8

// journal holds the posted entries. The store's lock guards it.
type journal struct {
	records  chunked[record]
	postings chunked[posting]

	// The index from entry ID to record is in two parts. inOrder lists the
	// records whose ID was greater than that of every record listed before
	// them, so it is sorted by ID and searched by bisection; with IDs from
	// ledger.NewID that is nearly every record, and listing one is an
	// append. The few others (an ID from elsewhere, or a posting that took
	// the lock after a later-made ID) are in outOfOrder, which is looked in
	// first, so that a repeated ID finds its latest entry.
	inOrder    chunked[uint32]
	lastID     ledger.ID // of the last record in inOrder
	outOfOrder map[ledger.ID]uint32

	// extras is the side table, by record index.
	extras map[uint32]*extra
	locs   []*time.Location
}

func newJournal() journal {
	return journal{outOfOrder: make(map[ledger.ID]uint32), extras: make(map[uint32]*extra)}
}

// len returns the number of records.
func (j *journal) len() int { return j.records.n }

// lookup returns the record index of entry id.
func (j *journal) lookup(id ledger.ID) (uint32, bool) {
	if i, ok := j.outOfOrder[id]; ok {
		return i, true
	}
	n := j.inOrder.n
	k := sort.Search(n, func(k int) bool {
		return ledger.CompareIDs(j.records.at(int(*j.inOrder.at(k))).id, id) >= 0
	})
	if k < n {
		if i := *j.inOrder.at(k); j.records.at(int(i)).id == id {
			return i, true
		}
	}
	return 0, false
}

// indexAs makes id find record i.
func (j *journal) indexAs(id ledger.ID, i uint32) {
	if j.inOrder.n == 0 || ledger.CompareIDs(id, j.lastID) > 0 {
		j.inOrder.push(i)
		j.lastID = id
		return
	}
	j.outOfOrder[id] = i
}

// locIndex returns l's index+1 in j.locs, adding it while there is room,
// or 0 when there is none.
func (j *journal) locIndex(l *time.Location) uint8 {
	for i, x := range j.locs {
		if x == l {
			return uint8(i + 1)
		}
	}
	if len(j.locs) == maxLocations {
		return 0
	}
	j.locs = append(j.locs, l)
	return uint8(len(j.locs))
}

// compactAmount returns d as an int64 coefficient and exponent, or false
// when the coefficient does not fit.
func compactAmount(d decimal.Decimal) (int64, int32, bool) {
	if d.NumDigits() > 18 {
		return 0, 0, false
	}
	return d.CoefficientInt64(), d.Exponent(), true
}

// add records a valid entry that Apply accepted and returns its index.
// moves are the entry's movements and targets their accounts, in the same
// order. The entry's slices and map are copied, not kept.
func (j *journal) add(e *ledger.Entry, moves []ledger.Movement, targets []*account) uint32 {
	idx := uint32(j.records.n)
	r := record{
		id:           e.ID,
		firstPosting: int64(j.postings.n),
		valueDate:    int32(packDate(e.ValueDate)),
		kind:         kindCode(e.Kind),
	}
	var x extra
	hasExtra := false

	if ns := e.BookedAt.UnixNano(); time.Unix(0, ns).Equal(e.BookedAt) {
		r.bookedAt, r.loc = ns, j.locIndex(e.BookedAt.Location())
	}
	if r.loc == 0 {
		x.bookedAt, hasExtra = e.BookedAt, true
	}

	r.nPostings = uint8(len(e.Postings)) // at most ledger.MaxPostings
	for _, p := range e.Postings {
		coef, exp, ok := compactAmount(p.Amount.Amount)
		if !ok {
			// Drop what was pushed (its chunk stays for the next entry)
			// and keep the postings as they are.
			j.postings.n = int(r.firstPosting)
			r.nPostings = 0
			x.postings, hasExtra = slices.Clone(e.Postings), true
			break
		}
		a := targets[movementOf(moves, p.AccountID)].index
		if p.Side == ledger.Credit {
			a |= sideCredit
		}
		j.postings.push(posting{coef: coef, exp: exp, account: a})
	}

	if e.IdempotencyKey != "" || e.Description != "" || e.Metadata != nil ||
		e.Reverses != ledger.NilID || e.HoldID != ledger.NilID {
		x.key, x.description, x.metadata = e.IdempotencyKey, e.Description, maps.Clone(e.Metadata)
		x.reverses, x.holdID = e.Reverses, e.HoldID
		hasExtra = true
	}
	if hasExtra {
		r.hasExtra = true
		stored := x
		j.extras[idx] = &stored
	}
	j.records.push(r)
	j.indexAs(e.ID, idx)
	return idx
}

// movementOf returns the index in moves (sorted by account ID) of the
// movement on account id, which is there.
func movementOf(moves []ledger.Movement, id ledger.ID) int {
	if len(moves) <= maxInline {
		for i := range moves {
			if moves[i].AccountID == id {
				return i
			}
		}
	}
	i, _ := slices.BinarySearchFunc(moves, id, func(m ledger.Movement, id ledger.ID) int { return ledger.CompareIDs(m.AccountID, id) })
	return i
}

// valueDate returns record i's value date, packed (see packDate).
func (j *journal) valueDate(i uint32) int64 { return int64(j.records.at(int(i)).valueDate) }

// kind returns record i's entry kind.
func (j *journal) kind(i uint32) ledger.EntryKind { return kinds[j.records.at(int(i)).kind] }

// metadata returns record i's metadata, nil when it has none; the caller
// copies it before handing it out.
func (j *journal) metadata(i uint32) map[string]string {
	if x := j.extraOf(j.records.at(int(i)), i); x != nil {
		return x.metadata
	}
	return nil
}

// extraOf returns record i's side-table part, or nil.
func (j *journal) extraOf(r *record, i uint32) *extra {
	if !r.hasExtra {
		return nil
	}
	return j.extras[i]
}

// bookedAt returns the BookedAt of record r, whose side-table part is x.
func (j *journal) bookedAt(r *record, x *extra) time.Time {
	if r.loc == 0 {
		return x.bookedAt
	}
	return time.Unix(0, r.bookedAt).In(j.locs[r.loc-1])
}

// entry rebuilds record i as the entry that was posted, with slices and
// map of its own and ReversedBy unset.
func (j *journal) entry(i uint32, accounts []*account) ledger.Entry {
	r := j.records.at(int(i))
	x := j.extraOf(r, i)
	e := ledger.Entry{
		ID:        r.id,
		Kind:      kinds[r.kind],
		ValueDate: unpackDate(int64(r.valueDate)),
		BookedAt:  j.bookedAt(r, x),
	}
	if r.nPostings > 0 {
		e.Postings = make([]ledger.Posting, r.nPostings)
		for k := range e.Postings {
			p := j.postings.at(int(r.firstPosting) + k)
			a := accounts[p.account&^sideCredit]
			side := ledger.Debit
			if p.account&sideCredit != 0 {
				side = ledger.Credit
			}
			e.Postings[k] = ledger.Posting{AccountID: a.ID, Side: side}
			e.Postings[k].Amount.Amount = decimal.New(p.coef, p.exp)
			e.Postings[k].Amount.Currency = a.Currency
		}
	}
	if x != nil {
		if r.nPostings == 0 {
			e.Postings = slices.Clone(x.postings)
		}
		e.IdempotencyKey = x.key
		e.Description = x.description
		e.Metadata = maps.Clone(x.metadata)
		e.Reverses = x.reverses
		e.HoldID = x.holdID
	}
	return e
}

// changeTo returns record i's signed change to account a's balance (kept
// on its normal side), summed in posting order as decimals.
func (j *journal) changeTo(i uint32, a *account) decimal.Decimal {
	r := j.records.at(int(i))
	sum := decimal.Zero
	if r.nPostings == 0 {
		for _, p := range j.extras[i].postings {
			if p.AccountID != a.ID {
				continue
			}
			if p.Side == a.NormalSide {
				sum = sum.Add(p.Amount.Amount)
			} else {
				sum = sum.Sub(p.Amount.Amount)
			}
		}
		return sum
	}
	for k := range int(r.nPostings) {
		p := j.postings.at(int(r.firstPosting) + k)
		if p.account&^sideCredit != a.index {
			continue
		}
		side := ledger.Debit
		if p.account&sideCredit != 0 {
			side = ledger.Credit
		}
		if side == a.NormalSide {
			sum = sum.Add(decimal.New(p.coef, p.exp))
		} else {
			sum = sum.Sub(decimal.New(p.coef, p.exp))
		}
	}
	return sum
}

// statementLine returns record i as a line of account a's statement.
func (j *journal) statementLine(i uint32, a *account) ledger.StatementLine {
	r := j.records.at(int(i))
	x := j.extraOf(r, i)
	l := ledger.StatementLine{
		EntryID:   r.id,
		Kind:      kinds[r.kind],
		ValueDate: unpackDate(int64(r.valueDate)),
		BookedAt:  j.bookedAt(r, x),
	}
	l.Amount.Amount, l.Amount.Currency = j.changeTo(i, a), a.Currency
	if x != nil {
		l.Description = x.description
	}
	return l
}
