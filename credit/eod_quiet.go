package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// The quiet end of day. On most days most loans of a book have nothing
// happening to them but the day's interest accrual: nothing due or
// overdue, no reminder, no promise to pay, no operation pending. For
// them the end of day changes only the date the loan is as of and what
// is recognised of the instalment accruing, so a Store that keeps those
// two apart from the rest of the loan (QuietEndOfDayStore) lets the end
// of day bring a page of them to the date from a few columns, never
// reading or writing the loan's record: Go works out each loan's accrual
// from its AccrualCursor (the same function, accrued, as every other
// path) and the Store writes the page in one statement, with the page's
// accrual entry per currency recorded as owed to the ledger, exactly as
// the batched path does. A loan the cursor does not cover takes the
// batched or the one-loan path, which read the whole loan.

// AccrualCursor is what the quiet end of day needs of a loan: the
// instalment accruing and the date the loan next owes something. A
// Store keeps it beside the loan (it changes only when the loan's record
// does); Loan.AccrualCursor works it out.
type AccrualCursor struct {
	// Instalment is the index in the schedule of the first instalment
	// whose interest is not all recognised; PeriodStart, PeriodEnd,
	// DueDate and Interest are its.
	Instalment  int             `json:"instalment"`
	PeriodStart calendar.Date   `json:"period_start"`
	PeriodEnd   calendar.Date   `json:"period_end"`
	DueDate     calendar.Date   `json:"due_date"`
	Interest    decimal.Decimal `json:"interest"`
	DayCount    money.DayCount  `json:"day_count"`
	// NextStart is the start of the next instalment's period (zero after
	// the last): on a date whose next day is after it, that instalment
	// accrues too, and the quiet path leaves the loan to the others.
	NextStart calendar.Date `json:"next_start,omitzero"`
	// NextDue is the due date of the first instalment with anything
	// unpaid: before it (and its reminders) nothing is owed.
	NextDue calendar.Date `json:"next_due"`
}

// AccrualCursor returns the loan's cursor for the quiet end of day, or
// nil when the loan cannot take it whatever the date: it is not active,
// has an operation pending, a floor on its classification or an open
// promise to pay, has penalty or fees charged and not booked, or has
// nothing left to recognise or to pay.
func (l Loan) AccrualCursor() *AccrualCursor {
	if l.Status != LoanActive || l.Pending != nil || l.Standing.Floor != "" ||
		l.Collections.Promise != nil && l.Collections.Promise.Status == PromiseOpen {
		return nil
	}
	ins := l.Schedule.Instalments()
	if len(l.Paid) != len(ins) {
		return nil
	}
	cur := -1
	var nextDue calendar.Date
	for i, in := range ins {
		p := l.Paid[i]
		if p.PenaltyCharged.Amount.Add(p.FeeCharged.Amount).GreaterThan(p.Booked.Amount) {
			return nil
		}
		if nextDue.IsZero() && (in.Principal.Amount.GreaterThan(p.Principal.Amount) || in.Interest.Amount.GreaterThan(p.Interest.Amount) ||
			p.PenaltyCharged.Amount.GreaterThan(p.Penalty.Amount) || p.FeeCharged.Amount.GreaterThan(p.Fee.Amount)) {
			nextDue = in.DueDate
		}
		if cur < 0 && p.Recognised.Amount.LessThan(in.Interest.Amount) {
			cur = i
		}
	}
	if cur < 0 || nextDue.IsZero() {
		return nil
	}
	in := ins[cur]
	c := &AccrualCursor{Instalment: cur, PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd, DueDate: in.DueDate,
		Interest: in.Interest.Amount, DayCount: l.Schedule.Terms().DayCount, NextDue: nextDue}
	if cur+1 < len(ins) {
		c.NextStart = ins[cur+1].PeriodStart
	}
	return c
}

// QuietLoan is a loan as the quiet end of day reads it: no record, only
// its cursor and what is recognised of the cursor's instalment.
type QuietLoan struct {
	ID         ID
	Version    int64
	Currency   money.Currency
	Cursor     AccrualCursor
	Recognised decimal.Decimal
}

// QuietQuery selects the loans the quiet end of day may take on Date:
// active, with a cursor, no days past due, next owing after DueAfter,
// and either not yet as of Date, in Bucket (the first) and classified
// normal, or never brought to a date (no bucket yet).
type QuietQuery struct {
	Date     calendar.Date
	Bucket   string
	DueAfter calendar.Date
	After    ID
	Limit    int
}

// QuietUpdate is one loan of a quiet page: the version it was read at
// and what is recognised of its cursor's instalment by the end of the
// date.
type QuietUpdate struct {
	ID         ID
	Version    int64
	Recognised decimal.Decimal
}

// QuietBatch is a page of the quiet end of day, written at once: each
// loan as of Date, at its version plus one, updated at UpdatedAt, with
// its recognised interest, and a loan without a bucket yet (its first end
// of day) in Bucket and classified normal; the postings and Posted as in
// EndOfDayBatch.
type QuietBatch struct {
	Date      calendar.Date
	Bucket    string
	UpdatedAt time.Time
	Loans     []QuietUpdate
	Postings  []LedgerEntry
	Posted    []string
}

// QuietEndOfDayStore is what a Store offers for the quiet end of day;
// a Store without it has every loan take the batched path.
type QuietEndOfDayStore interface {
	// QuietLoans lists the loans q selects after q.After in id order, at
	// most q.Limit.
	QuietLoans(ctx context.Context, q QuietQuery) ([]QuietLoan, error)
	// ApplyQuiet writes a quiet page in one operation. Each loan must be
	// at the version given and not yet as of b.Date, else
	// ErrConcurrentUpdate and nothing changes; ErrDuplicate when a
	// posting's key is taken.
	ApplyQuiet(ctx context.Context, b QuietBatch) error
}

// quietMargin is how many days before a due date a loan stops being
// quiet: the earliest reminder before it.
func (s *Service) quietMargin() int {
	m := 0
	for _, d := range s.remind.Before {
		m = max(m, d)
	}
	return m
}

// quietPages runs the quiet end of day over the store's quiet loans, a
// page at a time, WithEndOfDayPagesAtOnce pages at once. It does nothing
// on a Store without QuietEndOfDayStore, or when every loan is on
// non-accrual.
func (s *Service) quietPages(ctx context.Context, run *batchRun, date calendar.Date, out *EndOfDay) error {
	qs, ok := s.store.(QuietEndOfDayStore)
	if !ok || s.eodNoQuiet || s.nonAccrual.From == ClassNormal {
		return nil
	}
	q := QuietQuery{Date: date, Bucket: s.buckets[0].Name, DueAfter: date.AddDays(s.quietMargin()), Limit: s.eodPage}
	read := func(ctx context.Context, after ID) ([]QuietLoan, error) {
		q.After = after
		return qs.QuietLoans(ctx, q)
	}
	work := func(ctx context.Context, loans []QuietLoan, out *EndOfDay) error {
		return s.applyQuiet(ctx, qs, run, loans, date, out)
	}
	return pipelinePages(ctx, s.eodPagesAtOnce, s.eodPage, read, func(l QuietLoan) ID { return l.ID }, work, out)
}

// quietAccrual is what is recognised of the cursor's instalment by the
// end of date, and whether the loan is quiet on date: nothing owed or
// reminded, and no instalment but the cursor's accruing.
func (q QuietLoan) accrual(date, dueAfter calendar.Date) (decimal.Decimal, bool) {
	c := q.Cursor
	if !date.Before(c.NextDue) || !dueAfter.Before(c.NextDue) || !c.NextStart.IsZero() && date.AddDays(1).After(c.NextStart) {
		return decimal.Zero, false
	}
	in := Instalment{PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, DueDate: c.DueDate, Interest: m(q.Currency, c.Interest)}
	return decimal.Max(q.Recognised, accrued(in, c.DayCount, date, q.Currency.MinorUnits())), true
}

// applyQuiet brings a page of quiet loans to date in one ApplyQuiet,
// with the page's accrual entry per currency, and posts the entries.
// The loans not quiet on date are left to the batched path, and so is
// the page when one of its loans changed since it was read.
func (s *Service) applyQuiet(ctx context.Context, qs QuietEndOfDayStore, run *batchRun, loans []QuietLoan, date calendar.Date, out *EndOfDay) error {
	dueAfter := date.AddDays(s.quietMargin())
	b := QuietBatch{Date: date, Bucket: s.buckets[0].Name, UpdatedAt: s.now(), Loans: make([]QuietUpdate, 0, len(loans))}
	type sums struct {
		amount decimal.Decimal
		n      int
		last   ID
	}
	var currencies []money.Currency
	byCur := map[money.Currency]*sums{}
	for _, l := range loans {
		rec, ok := l.accrual(date, dueAfter)
		if !ok {
			continue
		}
		if d := rec.Sub(l.Recognised); d.IsPositive() {
			sm := byCur[l.Currency]
			if sm == nil {
				sm = &sums{}
				byCur[l.Currency] = sm
				currencies = append(currencies, l.Currency)
			}
			sm.amount = sm.amount.Add(d)
			sm.n++
			sm.last = l.ID
		}
		b.Loans = append(b.Loans, QuietUpdate{ID: l.ID, Version: l.Version, Recognised: rec})
	}
	if len(b.Loans) == 0 {
		return nil
	}
	first := b.Loans[0].ID
	for _, c := range currencies {
		sm := byCur[c]
		b.Postings = append(b.Postings, LedgerEntry{Key: EndOfDayAccrualKey(date, c, first),
			Description: fmt.Sprintf("Loans' interest accrued to %s, %d loans from %s", date, sm.n, first),
			Metadata: map[string]string{"kind": string(OpAccrual), "first_loan_id": first.String(),
				"last_loan_id": sm.last.String(), "loans": fmt.Sprint(sm.n)},
			Legs: []Leg{{Chart: ChartInterestReceivable, Side: Debit, Amount: m(c, sm.amount)},
				{Chart: ChartInterestIncome, Side: Credit, Amount: m(c, sm.amount)}}})
	}
	b.Posted = run.take()
	if err := qs.ApplyQuiet(ctx, b); err != nil {
		run.add(b.Posted)
		if errors.Is(err, ErrConcurrentUpdate) {
			return nil // the batched path reads them again
		}
		return fmt.Errorf("credit: end of day %s, quiet page from loan %s: %w", date, first, err)
	}
	keys := make([]string, 0, len(b.Postings))
	for _, e := range b.Postings {
		if _, err := s.ledger.Post(ctx, e); err != nil {
			return port("ledger", err) // owed: the next run posts it
		}
		keys = append(keys, e.Key)
	}
	run.add(keys)
	out.Loans += len(b.Loans)
	out.Processed += len(b.Loans)
	return nil
}

// WithEndOfDayQuiet turns the quiet end of day on (true, the default)
// or off (false: every loan takes the batched path; the reference the
// quiet path is checked against).
func WithEndOfDayQuiet(on bool) Option {
	return func(s *Service) error {
		s.eodNoQuiet = !on
		return nil
	}
}

// pipelinePages reads pages with read (each after the last id of the one
// before, limit at a time) and hands them to n workers running work, each
// adding to out under a lock. The first error stops the run.
func pipelinePages[T any](ctx context.Context, n, limit int, read func(context.Context, ID) ([]T, error), id func(T) ID,
	work func(context.Context, []T, *EndOfDay) error, out *EndOfDay) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []T)
	var mu sync.Mutex
	var first error
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
			cancel()
		}
	}
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for page := range pages {
				var mine EndOfDay
				if err := work(ctx, page, &mine); err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				out.Loans += mine.Loans
				out.Processed += mine.Processed
				out.Debits += mine.Debits
				out.Overdue += mine.Overdue
				mu.Unlock()
			}
		}()
	}
	after := NilID
	for ctx.Err() == nil {
		page, err := read(ctx, after)
		if err != nil {
			fail(err)
			break
		}
		if len(page) == 0 {
			break
		}
		pages <- slices.Clip(page)
		if len(page) < limit {
			break
		}
		after = id(page[len(page)-1])
	}
	close(pages)
	wg.Wait()
	return first
}
