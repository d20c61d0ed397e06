package memledger

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/memoutbox"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// Store is an in-memory ledger.Store. The zero value is not usable; call
// New.
type Store struct {
	mu sync.RWMutex

	// businessDate is read on every posting, so it is an atomic outside
	// the lock: year*10000 + month*100 + day, zero until set.
	businessDate atomic.Int64

	accounts    map[ledger.ID]*account
	accountList []*account  // by account.index, which postings refer to
	accountIDs  []ledger.ID // ascending, for ListAccounts
	byNumber    map[string]*account
	byChart     map[chartKey]*account
	accountKeys map[string]keyed

	// journal holds the posted entries in compact form; record i is also
	// the outbox's (i+1)-th entry event. objectEvents are the account and
	// hold events, whole, by Sequence (events.go).
	journal      journal
	outbox       *memoutbox.Outbox[struct{}]
	objectEvents []objectEvent
	reversedBy   map[ledger.ID]ledger.ID
	entryKeys    map[string]keyed

	holds    map[ledger.ID]*ledger.Hold
	holdKeys map[string]keyed

	// classOne is each owner's latest class I account per currency, and
	// classUsage what the class limits have counted (see classes.go).
	classOne   map[classOneKey]*account
	classUsage map[usageKey]decimal.Decimal

	// accountRefs and holdRefs find objects by their clients' external
	// references (externalrefs.go).
	accountRefs map[ledger.ExternalRef]ledger.ID
	holdRefs    map[ledger.ExternalRef]ledger.ID
	// entryRefs finds entries by their references, and refOfEntry gives
	// back the reference of an entry that has one (the journal keeps
	// none).
	entryRefs  map[ledger.ExternalRef]ledger.ID
	refOfEntry map[ledger.ID]ledger.ExternalRef
	// bindings are the accounts' binding histories (classes_binding.go).
	bindings map[ledger.ID][]ledger.BindingChange

	// clearingRecords are the clearing and reconciliation records, under a
	// lock of their own (see clearingState).
	clearingRecords *clearingState
	// eodRecords are the end-of-day records (see eodState).
	eodRecords *eodState
	// fxRecords are the foreign-exchange records (see fxState).
	fxRecords fxLazy
}

// One Store is every capability the ledger's packages ask of a backend.
var (
	_ ledger.Store        = (*Store)(nil)
	_ endofday.Store      = (*Store)(nil)
	_ clearing.Store      = (*Store)(nil)
	_ clearing.ReconStore = (*Store)(nil)
)

// account is an account with the history statements are read from.
type account struct {
	ledger.Account
	// index is the account's place in Store.accountList.
	index uint32
	// entries are the journal records of the entries that touched the
	// account, in posting order. A statement line's amount is worked out
	// from the record when it is read, which keeps posting free of
	// arithmetic and the history at four bytes per line, unscanned by the
	// garbage collector.
	entries []uint32
	holds   []*ledger.Hold
}

type chartKey struct {
	currency money.Currency
	code     string
}

// keyed remembers what an idempotency key produced and for which request.
type keyed struct {
	fp ledger.Fingerprint
	id ledger.ID
}

// New returns an empty store.
func New() *Store {
	s := &Store{
		accounts:    make(map[ledger.ID]*account),
		byNumber:    make(map[string]*account),
		byChart:     make(map[chartKey]*account),
		accountKeys: make(map[string]keyed),
		journal:     newJournal(),
		reversedBy:  make(map[ledger.ID]ledger.ID),
		entryKeys:   make(map[string]keyed),
		holds:       make(map[ledger.ID]*ledger.Hold),
		holdKeys:    make(map[string]keyed),
		classOne:    make(map[classOneKey]*account),
		classUsage:  make(map[usageKey]decimal.Decimal),
		accountRefs: make(map[ledger.ExternalRef]ledger.ID),
		holdRefs:    make(map[ledger.ExternalRef]ledger.ID),
		entryRefs:   make(map[ledger.ExternalRef]ledger.ID),
		refOfEntry:  make(map[ledger.ID]ledger.ExternalRef),

		clearingRecords: newClearingState(),
		eodRecords:      newEODState(),
	}
	s.outbox = newOutbox(s)
	return s
}

// BusinessDate implements ledger.Store.
func (s *Store) BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error) {
	if err := ctx.Err(); err != nil {
		return calendar.Date{}, err
	}
	if d := s.businessDate.Load(); d != 0 {
		return unpackDate(d), nil
	}
	if !initial.Valid() {
		return calendar.Date{}, fault.Field(ledger.ErrInvalidInput, "business_date", "the initial business date is not a valid date")
	}
	s.businessDate.CompareAndSwap(0, packDate(initial))
	return unpackDate(s.businessDate.Load()), nil
}

func packDate(d calendar.Date) int64 {
	return int64(d.Year)*10000 + int64(d.Month)*100 + int64(d.Day)
}

func unpackDate(v int64) calendar.Date {
	return calendar.Date{Year: int(v / 10000), Month: time.Month(v / 100 % 100), Day: int(v % 100)}
}
