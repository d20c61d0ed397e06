package credit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// ChannelAutoDebit marks the repayments the end of day takes from the
// linked demand account. It is not a channel a caller may name.
const ChannelAutoDebit Channel = "auto_debit"

// autoDebitBy is the Repayment.By of an automatic debit; its key is
// eod/<date>, a prefix callers' keys may not take, so a customer's key
// never blocks a debit.
const (
	autoDebitBy        = "end-of-day"
	autoDebitKeyPrefix = "eod/"
)

// WithEndOfDayPage sets how many loans the end of day reads at a time
// (default DefaultEndOfDayPage): the book is walked in id order a page at
// a time, never held whole.
func WithEndOfDayPage(n int) Option {
	return func(s *Service) error {
		if n < 1 || n > MaxEndOfDayPage {
			return invalid("end_of_day_page", "must be 1-%d", MaxEndOfDayPage)
		}
		s.eodPage = n
		return nil
	}
}

// WithEndOfDayWorkers sets how many loans of a page the end of day
// brings to the date at once (default 4; 1 runs them one after another).
func WithEndOfDayWorkers(n int) Option {
	return func(s *Service) error {
		if n < 1 || n > 64 {
			return invalid("end_of_day_workers", "must be 1-64")
		}
		s.eodWorkers = n
		return nil
	}
}

// EndOfDay is what a credit end-of-day run did.
type EndOfDay struct {
	Date calendar.Date `json:"date"`
	// Loans is the active loans read; Processed those this run brought to
	// the date (a re-run of a finished date processes none).
	Loans     int `json:"loans"`
	Processed int `json:"processed"`
	// Debits counts the automatic debits posted; Overdue the processed
	// loans left with days past due.
	Debits  int `json:"debits"`
	Overdue int `json:"overdue"`
}

// DelinquencyBucket is one band of days past due: from From days up to
// the next bucket's From.
type DelinquencyBucket struct {
	Name string `json:"name"`
	From int    `json:"from"`
}

// DelinquencyBuckets are the bands, the first from 0 days.
type DelinquencyBuckets []DelinquencyBucket

// DefaultDelinquencyBuckets: current, 1–30, 31–60, 61–90 and over 90
// days past due, as issue 14 gives them.
var DefaultDelinquencyBuckets = DelinquencyBuckets{{"current", 0}, {"1-30", 1}, {"31-60", 31}, {"61-90", 61}, {"90+", 91}}

// Validate checks the bands: named, unique, the first from 0 and each
// starting after the one before.
func (b DelinquencyBuckets) Validate() error {
	if len(b) == 0 || b[0].From != 0 {
		return invalid("delinquency_buckets", "must start with a bucket from 0 days")
	}
	seen := map[string]bool{}
	for i, x := range b {
		f := fmt.Sprintf("delinquency_buckets[%d]", i)
		if strings.TrimSpace(x.Name) == "" || len(x.Name) > 40 || seen[x.Name] {
			return invalid(f+".name", "must be 1-40 bytes and unique")
		}
		if err := text.Line(ErrInvalidInput, f+".name", x.Name); err != nil {
			return err
		}
		seen[x.Name] = true
		if i > 0 && x.From <= b[i-1].From {
			return invalid(f+".from", "must be above the bucket before")
		}
	}
	return nil
}

// Of names the bucket days past due fall in.
func (b DelinquencyBuckets) Of(dpd int) string {
	name := b[0].Name
	for _, x := range b {
		if dpd >= x.From {
			name = x.Name
		}
	}
	return name
}

// WithDelinquencyBuckets sets the delinquency buckets (default
// DefaultDelinquencyBuckets).
func WithDelinquencyBuckets(b DelinquencyBuckets) Option {
	return func(s *Service) error {
		if err := b.Validate(); err != nil {
			return err
		}
		s.buckets = append(DelinquencyBuckets(nil), b...)
		return nil
	}
}

// Classification is the five-category loan risk classification.
type Classification string

// The five categories (正常, 关注, 次级, 可疑, 损失).
const (
	ClassNormal         Classification = "normal"          // 正常
	ClassSpecialMention Classification = "special_mention" // 关注
	ClassSubstandard    Classification = "substandard"     // 次级
	ClassDoubtful       Classification = "doubtful"        // 可疑
	ClassLoss           Classification = "loss"            // 损失
)

// Chinese is the category's regulatory name.
func (c Classification) Chinese() string {
	return map[Classification]string{ClassNormal: "正常", ClassSpecialMention: "关注", ClassSubstandard: "次级",
		ClassDoubtful: "可疑", ClassLoss: "损失"}[c]
}

// ClassifyDaysPastDue is the default category for days past due: 1–90
// special mention, over 90 substandard, over 270 doubtful, over 360 loss
// (the thresholds of the CBRC 贷款风险分类指引 and the 2023 rules on
// financial assets' risk classification, as issue 14 gives them).
func ClassifyDaysPastDue(dpd int) Classification {
	switch {
	case dpd > 360:
		return ClassLoss
	case dpd > 270:
		return ClassDoubtful
	case dpd > 90:
		return ClassSubstandard
	case dpd > 0:
		return ClassSpecialMention
	}
	return ClassNormal
}

// Delinquency is a loan's standing as the end of day last left it.
type Delinquency struct {
	// AsOf is the last business date the end of day brought the loan to.
	AsOf calendar.Date `json:"as_of,omitzero"`
	// OverdueSince is the oldest unpaid due date; DaysPastDue counts the
	// days from it to AsOf.
	OverdueSince   calendar.Date    `json:"overdue_since,omitzero"`
	DaysPastDue    int              `json:"days_past_due"`
	Bucket         string           `json:"bucket,omitempty"`
	Classification Classification   `json:"classification,omitempty"`
	History        []StandingChange `json:"history,omitempty"`
	// Floor is the classification the loan may not be better than: set by
	// a manual downgrade or a restructuring, lowered only by an approved
	// upgrade.
	Floor Classification `json:"floor,omitempty"`
	// Upgrade is an upgrade asked for and awaiting a second member of
	// staff's approval.
	Upgrade *UpgradeRequest `json:"upgrade,omitempty"`
}

// StandingChange is a change of bucket or classification, kept as history.
type StandingChange struct {
	On          calendar.Date `json:"on"`
	What        string        `json:"what"` // bucket or classification
	From        string        `json:"from"`
	To          string        `json:"to"`
	DaysPastDue int           `json:"days_past_due"`
	// Reason, By and ApprovedBy are given for a manual change.
	Reason     string `json:"reason,omitempty"`
	By         string `json:"by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
}

// RunEndOfDay runs the credit end of day for a business date over every
// active loan, a page at a time: interest is accrued to the end of the
// date (accrual.go), instalments due on or before the date
// are debited from the linked demand account as far as its balance
// allows (with any advance held, allocated in the product's order; the
// rest stays overdue), then days past due, bucket and classification
// are worked out, reminders raised and promises to pay checked. Each loan records the date it was brought to, so a
// re-run of the date changes nothing and a run cut short finishes the
// loans it had not reached; a debit keyed by the date is posted once.
func (s *Service) RunEndOfDay(ctx context.Context, date calendar.Date) (EndOfDay, error) {
	if date.IsZero() || !date.Valid() {
		return EndOfDay{}, invalid("date", "is required")
	}
	today, err := s.today(ctx)
	if err != nil {
		return EndOfDay{}, err
	}
	if date.After(today) {
		return EndOfDay{}, invalid("date", "must not be after the business date %s", today)
	}
	if err := s.needLedger(); err != nil {
		return EndOfDay{}, err
	}
	out := EndOfDay{Date: date}
	if s.eodPerLoan {
		return out, s.perLoanEndOfDay(ctx, date, &out)
	}
	if err := s.postOwed(ctx); err != nil {
		return out, fmt.Errorf("credit: end of day %s, postings owed by an earlier run: %w", date, err)
	}
	run := &batchRun{}
	if err := s.quietPages(ctx, run, date, &out); err != nil {
		return out, err
	}
	if err := s.batchPages(ctx, run, date, &out); err != nil {
		return out, err
	}
	if keys := run.take(); len(keys) > 0 {
		return out, s.store.MarkEndOfDayPosted(ctx, keys)
	}
	return out, nil
}

// perLoanEndOfDay is the end of day with every loan in its own
// transactions (WithEndOfDayBatch(false)).
func (s *Service) perLoanEndOfDay(ctx context.Context, date calendar.Date, out *EndOfDay) error {
	after := NilID
	for {
		loans, err := s.store.Loans(ctx, LoanFilter{Status: LoanActive}, Page{After: after, Limit: min(s.eodPage, MaxPageLimit)})
		if err != nil {
			return err
		}
		if err := s.endOfDayPage(ctx, loans, date, out); err != nil {
			return err
		}
		if len(loans) < min(s.eodPage, MaxPageLimit) {
			return nil
		}
		after = loans[len(loans)-1].ID
	}
}

func (s *Service) loanEndOfDay(ctx context.Context, l Loan, date calendar.Date, out *EndOfDay) error {
	var err error
	if l.Pending != nil { // finished first, even on a re-run of a date that got as far as it
		if _, err = s.settle(ctx, l); err != nil && !errors.Is(err, ErrRefused) {
			return err
		}
		if l, err = s.store.Loan(ctx, l.ID); err != nil {
			return err
		}
	}
	if l.Status != LoanActive || !l.Standing.AsOf.Before(date) {
		return nil
	}
	debited, err := s.autoDebit(ctx, l, date)
	if err != nil {
		return err
	}
	prod, err := s.product(ctx, l.ProductID)
	if err != nil {
		return err
	}
	now := s.now()
	next, err := s.store.UpdateLoan(ctx, l.ID, func(cur Loan) (Loan, *Repayment, []event.Envelope, error) {
		if !cur.Standing.AsOf.Before(date) {
			return Loan{}, nil, nil, errUnchanged
		}
		evs, err := s.standing(&cur, prod, date, now)
		if err == nil && cur.Pending == nil {
			cur.Pending = s.accrual(cur, date)
		}
		cur.UpdatedAt = now
		return cur, nil, evs, err
	})
	if errors.Is(err, errUnchanged) {
		return nil // another run got there first
	}
	if err != nil {
		return err
	}
	if next.Pending != nil && next.Pending.Kind == OpAccrual {
		if next, err = s.settle(ctx, next); err != nil {
			return err
		}
	}
	out.Processed++
	if debited {
		out.Debits++
	}
	if next.Standing.DaysPastDue > 0 {
		out.Overdue++
	}
	return nil
}

// endOfDayPage brings a page of loans to date, WithEndOfDayWorkers at a
// time; each loan is its own unit (its own transactions), so they run
// side by side. The first error stops the page.
func (s *Service) endOfDayPage(ctx context.Context, loans []Loan, date calendar.Date, out *EndOfDay) error {
	var mu sync.Mutex
	return s.eachLoan(ctx, loans, date, func(ctx context.Context, l Loan) error {
		var mine EndOfDay
		err := s.loanEndOfDay(ctx, l, date, &mine)
		mu.Lock()
		defer mu.Unlock()
		out.Loans++
		out.Processed += mine.Processed
		out.Debits += mine.Debits
		out.Overdue += mine.Overdue
		return err
	})
}

// eachLoan runs do on each of loans, WithEndOfDayWorkers at a time. The
// first error cancels the rest (do's context) and is returned, naming its
// loan; do guards what it shares with the other workers.
func (s *Service) eachLoan(ctx context.Context, loans []Loan, date calendar.Date, do func(context.Context, Loan) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	next := make(chan Loan)
	var wg sync.WaitGroup
	for range min(s.eodWorkers, len(loans)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range next {
				if err := do(ctx, l); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("credit: end of day %s, loan %s: %w", date, l.ID, err)
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, l := range loans {
		if ctx.Err() != nil {
			break
		}
		next <- l
	}
	close(next)
	wg.Wait()
	return first
}

// autoDebit takes what is owed on date (less the advance held) from the
// demand account, as far as its balance goes, under the key eod/<date>.
func (s *Service) autoDebit(ctx context.Context, l Loan, date calendar.Date) (bool, error) {
	c := l.Currency()
	total := decimal.Zero
	for _, ln := range l.owed(date) {
		total = total.Add(ln.principal).Add(ln.interest).Add(ln.penalty).Add(ln.fee)
	}
	if !total.IsPositive() {
		return false, nil
	}
	amount := decimal.Zero
	if need := total.Sub(l.Advance.Amount); need.IsPositive() {
		bal, err := s.ledger.Balance(ctx, l.DemandAccount)
		if err != nil {
			return false, port("ledger", err)
		}
		if bal.Currency == c && bal.Amount.IsPositive() {
			amount = decimal.Min(need, bal.Amount)
		}
	}
	if !amount.IsPositive() && !l.Advance.Amount.IsPositive() {
		return false, nil
	}
	req := RepaymentRequest{Amount: money.Money{Amount: amount, Currency: c}, Source: FromAccount, Channel: ChannelAutoDebit,
		By: autoDebitBy, Key: autoDebitKeyPrefix + date.String()}
	same := func(p Repayment) bool { return p.Kind == OpRepayment && p.By == autoDebitBy }
	_, _, err := s.operate(ctx, l, req.Key, same, func(context.Context, Loan) (Leg, error) {
		return Leg{Account: l.DemandAccount, Side: Debit, Amount: req.Amount}, nil
	}, func(l *Loan, from Leg, _ calendar.Date) (*Operation, error) {
		if err := checkRepayable(*l); err != nil {
			return nil, err
		}
		return s.repayment(*l, req, from, date)
	})
	if errors.Is(err, ErrRefused) || errors.Is(err, ErrLoanClosed) {
		return false, nil // the balance fell meanwhile, or the loan was repaid: the rest stays owed
	}
	return err == nil, err
}

// standing charges penalty interest and late fees, works out days past
// due, bucket and classification on date, and returns the events of the
// changes.
func (s *Service) standing(l *Loan, p Product, date calendar.Date, now time.Time) ([]event.Envelope, error) {
	st := l.Standing
	st.History = append([]StandingChange(nil), st.History...)
	ins := l.Schedule.Instalments()
	lines := l.owed(date)
	var evs []event.Envelope
	emit := func(typ string, payload any) error {
		ev, err := s.newEvent(typ, now, payload, l.ID, l.CustomerID)
		evs = append(evs, ev)
		return err
	}
	st.OverdueSince, st.DaysPastDue = calendar.Date{}, 0
	for _, ln := range lines { // the oldest instalment with principal or interest unpaid
		if ln.principal.IsPositive() || ln.interest.IsPositive() {
			st.OverdueSince = ins[ln.i].DueDate
			st.DaysPastDue = date.DaysSince(st.OverdueSince)
			break
		}
	}
	c := l.Currency()
	terms := l.Schedule.Terms()
	l.Paid = clonePaid(l.Paid)
	for _, ln := range lines {
		in, paid := ins[ln.i], &l.Paid[ln.i]
		due := in.DueDate
		// Penalty interest on the principal left unpaid, for each day
		// after the due date since the last run, at the product's
		// penalty rate and the loan's day count, rounded once per run.
		from := due
		if l.Standing.AsOf.After(from) {
			from = l.Standing.AsOf
		}
		if ln.principal.IsPositive() && date.After(from) {
			pen := money.SimpleInterest(ln.principal, p.PenaltyRate(in.Rate), terms.DayCount, from, date).RoundBank(c.MinorUnits())
			paid.PenaltyCharged = money.Money{Amount: paid.PenaltyCharged.Amount.Add(pen), Currency: c}
		}
		if !due.After(l.Standing.AsOf) {
			continue // already reported
		}
		if !ln.principal.IsPositive() && !ln.interest.IsPositive() {
			continue // only charges are owed
		}
		// The late fee, once for the missed instalment.
		if p.LateFee.IsPositive() && !paid.FeeCharged.Amount.IsPositive() {
			paid.FeeCharged = money.Money{Amount: p.LateFee, Currency: c}
		}
		if err := emit(EventLoanOverdue, LoanOverdue{LoanID: l.ID, CustomerID: l.CustomerID, Instalment: ln.i + 1, DueDate: due,
			Principal: money.Money{Amount: ln.principal, Currency: c}, Interest: money.Money{Amount: ln.interest, Currency: c},
			DaysPastDue: st.DaysPastDue}); err != nil {
			return nil, err
		}
	}
	rem, err := s.reminders(l, date, now)
	if err != nil {
		return nil, err
	}
	evs = append(evs, rem...)
	broken, err := s.promisesDue(l, date, now)
	if err != nil {
		return nil, err
	}
	evs = append(evs, broken...)
	bucket, class := s.buckets.Of(st.DaysPastDue), Worse(ClassifyDaysPastDue(st.DaysPastDue), st.Floor)
	if classRank[class] >= classRank[ClassSubstandard] {
		// Non-performing: paying the arrears does not make it performing
		// again by itself; an approved upgrade does.
		st.Floor = class
	}
	if st.Bucket == "" { // a loan's first end of day: current and normal unless overdue already
		st.Bucket, st.Classification = s.buckets[0].Name, ClassNormal
	}
	if bucket != st.Bucket {
		st.History = append(st.History, StandingChange{On: date, What: "bucket", From: st.Bucket, To: bucket, DaysPastDue: st.DaysPastDue})
		if err := emit(EventBucketChanged, StandingChanged{LoanID: l.ID, CustomerID: l.CustomerID, On: date, From: st.Bucket,
			To: bucket, DaysPastDue: st.DaysPastDue}); err != nil {
			return nil, err
		}
		st.Bucket = bucket
	}
	if class != st.Classification {
		st.History = append(st.History, StandingChange{On: date, What: "classification", From: string(st.Classification),
			To: string(class), DaysPastDue: st.DaysPastDue})
		if err := emit(EventLoanClassified, StandingChanged{LoanID: l.ID, CustomerID: l.CustomerID, On: date,
			From: string(st.Classification), To: string(class), DaysPastDue: st.DaysPastDue}); err != nil {
			return nil, err
		}
		st.Classification = class
	}
	st.AsOf = date
	l.Standing = st
	return evs, nil
}
