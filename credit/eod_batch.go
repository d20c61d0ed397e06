package credit

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// The batched end of day. A page of loans is read in id order (only the
// active loans not yet brought to the date); the loans that owe something
// on the date, or have an operation pending, take the one-loan path
// (loanEndOfDay: the debit moves the customer's money, a posting of its
// own); every other loan's standing and accrual are worked out in Go and
// written for the whole page in one Store transaction (ApplyEndOfDay),
// with their events and the page's accrual entry, which the transaction
// records as owed to the ledger. The entry is posted after the commit under
// its key and marked posted in the next page's transaction (or at the end
// of the run); a run first posts what an earlier run left owed. So each
// loan is brought to a date once, and each entry posted once: a crash
// before the commit leaves the page to the re-run, after it the entry to
// be posted under the same key, which the ledger replays.
//
// Accounting: an accrual's legs name only the bank's own accounts by chart
// code (interest and fees receivable and income), never a loan's account;
// the loan's share of them is kept by credit (InstalmentPaid.Recognised
// and Booked). So the page's accruals are posted as one entry per currency,
// each leg the sum of the loans' legs on that account and side, like the
// ledger's own end of day posts accrued deposit interest per currency
// (ledger/endofday). The entry's metadata names the first and last loan of
// the page and how many loans it carries.

// MaxEndOfDayPage is the largest page WithEndOfDayPage takes;
// DefaultEndOfDayPage the page the end of day reads by default.
const (
	MaxEndOfDayPage     = 5000
	DefaultEndOfDayPage = 1000
)

// WithEndOfDayBatch chooses how the end of day writes the loans that
// owe nothing on the date: a page in one transaction (true, the default)
// or each loan in its own, like the loans that do (false: the reference
// the batched path is checked against).
func WithEndOfDayBatch(on bool) Option {
	return func(s *Service) error {
		s.eodPerLoan = !on
		return nil
	}
}

// EndOfDayStore is what the batched end of day needs of the Store.
type EndOfDayStore interface {
	// EndOfDayLoans lists the active loans after after in id order whose
	// standing is not yet as of date (Standing.AsOf before it), at most
	// limit.
	EndOfDayLoans(ctx context.Context, date calendar.Date, after ID, limit int) ([]Loan, error)
	// ApplyEndOfDay writes a page of the end of day in one operation:
	// each loan's new state (the store raises Version by one) and its
	// events, each posting recorded as owed (EndOfDayPostings lists it
	// until marked), and the postings b.Posted marked posted. Each
	// loan's Version must be the stored one; otherwise ErrConcurrentUpdate
	// and nothing changes. ErrDuplicate when a posting's key is taken.
	ApplyEndOfDay(ctx context.Context, b EndOfDayBatch) error
	// EndOfDayPostings lists the postings recorded and not yet marked
	// posted, in key order.
	EndOfDayPostings(ctx context.Context) ([]LedgerEntry, error)
	// MarkEndOfDayPosted marks the postings with keys posted; unknown
	// keys are ignored.
	MarkEndOfDayPosted(ctx context.Context, keys []string) error
}

// ErrConcurrentUpdate: a loan changed since it was read.
var ErrConcurrentUpdate = errors.New("credit: the loan changed since it was read")

// EndOfDayBatch is a page of the end of day, written at once.
type EndOfDayBatch struct {
	Date  calendar.Date
	Loans []EndOfDayLoan
	// Postings are the ledger entries the page owes, recorded unposted.
	Postings []LedgerEntry
	// Posted are keys of earlier postings now posted.
	Posted []string
}

// EndOfDayLoan is one loan of a batch: its new state, with Version the
// one it was read at, and the events of the change. History is how many
// entries of Standing.History were there before (the rest are new).
// QuietChange says the loan changed only as the quiet end of day changes
// a loan (as of date, version, update time and what is recognised of its
// AccrualCursor's instalment, the cursor itself the same): a Store that
// keeps those beside the loan's record may leave the record as it is.
type EndOfDayLoan struct {
	Loan        Loan
	History     int
	Events      []event.Envelope
	QuietChange bool
}

// quietChange reports whether after differs from before only as the
// quiet end of day changes a loan (EndOfDayLoan.QuietChange).
func quietChange(before, after Loan) bool {
	cb, ca := before.AccrualCursor(), after.AccrualCursor()
	if cb == nil || ca == nil || cb.Instalment != ca.Instalment || cb.PeriodStart != ca.PeriodStart ||
		cb.PeriodEnd != ca.PeriodEnd || cb.DueDate != ca.DueDate || !cb.Interest.Equal(ca.Interest) ||
		cb.DayCount != ca.DayCount || cb.NextStart != ca.NextStart || cb.NextDue != ca.NextDue {
		return false
	}
	a := after
	a.Standing.AsOf, a.Version, a.UpdatedAt = before.Standing.AsOf, before.Version, before.UpdatedAt
	a.Paid = clonePaid(after.Paid)
	a.Paid[ca.Instalment].Recognised = before.Paid[cb.Instalment].Recognised
	return reflect.DeepEqual(a, before)
}

// EndOfDayAccrualKey is the ledger key of the accruals of a page of the
// end of day for date in currency c, the page's first loan naming it.
func EndOfDayAccrualKey(date calendar.Date, c money.Currency, first ID) string {
	return "loans/accrual/" + date.String() + "/" + string(c) + "/" + first.String()
}

// owes reports whether the loan owes anything due on or before date: the
// loans the automatic debit may move money for.
func (l Loan) owes(date calendar.Date) bool {
	return len(l.owed(date)) > 0
}

// postOwed posts the end-of-day postings an earlier run recorded and did
// not mark posted, and marks them.
func (s *Service) postOwed(ctx context.Context) error {
	owed, err := s.store.EndOfDayPostings(ctx)
	if err != nil || len(owed) == 0 {
		return err
	}
	keys := make([]string, 0, len(owed))
	for _, e := range owed {
		if _, err := s.ledger.Post(ctx, e); err != nil {
			return port("ledger", err)
		}
		keys = append(keys, e.Key)
	}
	return s.store.MarkEndOfDayPosted(ctx, keys)
}

// batchRun is the state of a batched run across its pages.
type batchRun struct {
	mu     sync.Mutex
	posted []string // posted, to be marked in the next page's transaction
}

func (r *batchRun) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.posted
	r.posted = nil
	return p
}

func (r *batchRun) add(keys []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posted = append(r.posted, keys...)
}

// WithEndOfDayPagesAtOnce sets how many pages the batched end of day
// works at once while it reads the next (default 1): with 2, the database
// writes one page while Go works out another. A run stopped by an error
// may then have finished loans of a later page than the one that failed
// (the re-run skips them, as it skips any loan brought to the date).
func WithEndOfDayPagesAtOnce(n int) Option {
	return func(s *Service) error {
		if n < 1 || n > 16 {
			return invalid("end_of_day_pages_at_once", "must be 1-16")
		}
		s.eodPagesAtOnce = n
		return nil
	}
}

// batchPages reads the loans not yet brought to date a page at a time and
// hands the pages to WithEndOfDayPagesAtOnce workers. The first error
// stops the run.
func (s *Service) batchPages(ctx context.Context, run *batchRun, date calendar.Date, out *EndOfDay) error {
	read := func(ctx context.Context, after ID) ([]Loan, error) {
		return s.store.EndOfDayLoans(ctx, date, after, s.eodPage)
	}
	work := func(ctx context.Context, loans []Loan, out *EndOfDay) error {
		return s.endOfDayBatch(ctx, run, loans, date, out)
	}
	return pipelinePages(ctx, s.eodPagesAtOnce, s.eodPage, read, func(l Loan) ID { return l.ID }, work, out)
}

// legKey groups legs of the page's accruals.
type legKey struct {
	account ID
	chart   string
	side    Side
}

// endOfDayBatch brings a page of loans to date: the loans that owe
// something or have an operation pending one at a time (endOfDayPage),
// the rest in one ApplyEndOfDay. A concurrent change of one of them (a
// repayment while the page was worked) sends them all the one-loan way.
func (s *Service) endOfDayBatch(ctx context.Context, run *batchRun, loans []Loan, date calendar.Date, out *EndOfDay) error {
	var slow, fast []Loan
	for _, l := range loans {
		if l.Status != LoanActive || !l.Standing.AsOf.Before(date) {
			out.Loans++
			continue
		}
		if l.Pending != nil || l.owes(date) {
			slow = append(slow, l)
		} else {
			fast = append(fast, l)
		}
	}
	if len(slow) > 0 {
		sort.Slice(slow, func(i, j int) bool { return slow[i].ID.String() < slow[j].ID.String() })
		ready, err := s.debitPage(ctx, slow, date, out)
		if err != nil {
			return err
		}
		fast = append(fast, ready...)
		sort.Slice(fast, func(i, j int) bool { return fast[i].ID.String() < fast[j].ID.String() })
	}
	if len(fast) > 0 {
		n, err := s.applyBatch(ctx, run, fast, date)
		switch {
		case errors.Is(err, ErrConcurrentUpdate):
			return s.endOfDayPage(ctx, fast, date, out)
		case err != nil:
			return fmt.Errorf("credit: end of day %s, page from loan %s: %w", date, fast[0].ID, err)
		default:
			out.Loans += len(fast)
			out.Processed += len(fast)
			out.Overdue += n
		}
	}
	return nil
}

// debitPage moves the money of the loans of a page that owe something
// or have an operation pending, one loan at a time on
// WithEndOfDayWorkers workers (each its own transactions, as the
// one-loan path): the operation finished, the automatic debit posted.
// It returns the loans read again after, to be brought to the date with
// the rest of the page's batch; a loan left with an operation pending
// (a debit refused meanwhile) is brought to the date the one-loan way.
func (s *Service) debitPage(ctx context.Context, loans []Loan, date calendar.Date, out *EndOfDay) ([]Loan, error) {
	var mu sync.Mutex
	var ready, alone []Loan
	err := s.eachLoan(ctx, loans, date, func(ctx context.Context, l Loan) error {
		l, debited, err := s.debit(ctx, l, date)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil: // eachLoan reports it and stops the page
		case l.Status != LoanActive || !l.Standing.AsOf.Before(date):
			out.Loans++
		case l.Pending != nil:
			alone = append(alone, l)
		default:
			ready = append(ready, l)
		}
		if debited {
			out.Debits++
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(alone) > 0 {
		if err := s.endOfDayPage(ctx, alone, date, out); err != nil {
			return nil, err
		}
	}
	return ready, nil
}

// debit finishes the loan's pending operation and posts its automatic
// debit for date, and returns the loan as it is after.
func (s *Service) debit(ctx context.Context, l Loan, date calendar.Date) (Loan, bool, error) {
	var err error
	if l.Pending != nil {
		if _, err = s.settle(ctx, l); err != nil && !errors.Is(err, ErrRefused) {
			return l, false, err
		}
		if l, err = s.store.Loan(ctx, l.ID); err != nil {
			return l, false, err
		}
	}
	if l.Status != LoanActive || !l.Standing.AsOf.Before(date) {
		return l, false, nil
	}
	debited, err := s.autoDebit(ctx, l, date)
	if err != nil || !debited {
		return l, debited, err
	}
	l, err = s.store.Loan(ctx, l.ID)
	return l, true, err
}

// applyBatch works out the standing and accrual of loans, which owe
// nothing on date, writes them in one ApplyEndOfDay with the page's
// accrual entries, and posts those. It returns how many are overdue.
func (s *Service) applyBatch(ctx context.Context, run *batchRun, loans []Loan, date calendar.Date) (int, error) {
	now := s.now()
	b := EndOfDayBatch{Date: date, Loans: make([]EndOfDayLoan, 0, len(loans))}
	type sums struct {
		order []legKey
		by    map[legKey]decimal.Decimal
		n     int
		last  ID
	}
	var currencies []money.Currency
	byCur := map[money.Currency]*sums{}
	overdue := 0
	for _, l := range loans {
		read := l
		prod, err := s.product(ctx, l.ProductID)
		if err != nil {
			return 0, err
		}
		hist := len(l.Standing.History)
		evs, err := s.standing(&l, prod, date, now)
		if err != nil {
			return 0, err
		}
		if op := s.accrual(l, date); op != nil {
			c := l.Currency()
			sm := byCur[c]
			if sm == nil {
				sm = &sums{by: map[legKey]decimal.Decimal{}}
				byCur[c] = sm
				currencies = append(currencies, c)
			}
			for _, g := range op.Entry.Legs {
				k := legKey{g.Account, g.Chart, g.Side}
				if _, ok := sm.by[k]; !ok {
					sm.order = append(sm.order, k)
				}
				sm.by[k] = sm.by[k].Add(g.Amount.Amount)
			}
			sm.n++
			sm.last = l.ID
			l.Pending = op
			var more []event.Envelope
			if l, _, more, err = s.apply(l, "", now); err != nil {
				return 0, err
			}
			evs = append(evs, more...)
		}
		l.UpdatedAt = now
		if l.Standing.DaysPastDue > 0 {
			overdue++
		}
		b.Loans = append(b.Loans, EndOfDayLoan{Loan: l, History: hist, Events: evs, QuietChange: quietChange(read, l)})
	}
	first := loans[0].ID
	for _, c := range currencies {
		sm := byCur[c]
		e := LedgerEntry{Key: EndOfDayAccrualKey(date, c, first),
			Description: fmt.Sprintf("Loans' interest accrued to %s, %d loans from %s", date, sm.n, first),
			Metadata: map[string]string{"kind": string(OpAccrual), "first_loan_id": first.String(),
				"last_loan_id": sm.last.String(), "loans": fmt.Sprint(sm.n)}}
		for _, k := range sm.order {
			e.Legs = append(e.Legs, Leg{Account: k.account, Chart: k.chart, Side: k.side, Amount: m(c, sm.by[k])})
		}
		b.Postings = append(b.Postings, e)
	}
	b.Posted = run.take()
	if err := s.store.ApplyEndOfDay(ctx, b); err != nil {
		run.add(b.Posted) // still to mark: they are posted either way
		return 0, err
	}
	keys := make([]string, 0, len(b.Postings))
	for _, e := range b.Postings {
		if _, err := s.ledger.Post(ctx, e); err != nil {
			return 0, port("ledger", err) // owed: the next run posts it
		}
		keys = append(keys, e.Key)
	}
	run.add(keys)
	return overdue, nil
}
