package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// LoanState is what an operation leaves on the loan once its entry has
// posted; it is worked out when the operation is recorded, while the
// loan cannot change under it (one operation is pending at a time).
type LoanState struct {
	Status      LoanStatus       `json:"status"`
	Schedule    *Schedule        `json:"schedule,omitempty"` // after a prepayment
	Paid        []InstalmentPaid `json:"paid"`
	Disbursed   money.Money      `json:"disbursed"`
	Outstanding money.Money      `json:"outstanding"`
	Advance     money.Money      `json:"advance"`
	ClosedOn    calendar.Date    `json:"closed_on,omitzero"`
	Received    money.Money      `json:"received,omitzero"`
	WriteOff    *WriteOff        `json:"write_off,omitempty"`
	Suspense    *Suspense        `json:"suspense,omitempty"`
}

// errUnchanged tells an UpdateLoan caller that the operation it meant to
// finish was finished (or dropped) by someone else.
var errUnchanged = errors.New("credit: the loan's pending operation is already settled")

// Loan returns the loan with id; ErrNotFound.
func (s *Service) Loan(ctx context.Context, id ID) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	return s.store.Loan(ctx, id)
}

// Loans lists loans matching f in creation order.
func (s *Service) Loans(ctx context.Context, f LoanFilter, page Page) ([]Loan, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	switch f.Status {
	case "", LoanAccepted, LoanDisbursing, LoanActive, LoanClosed, LoanWrittenOff:
	default:
		return nil, invalid("status", "must be accepted, disbursing, active, closed or written_off")
	}
	if f.Bucket != "" && !slices.ContainsFunc(s.buckets, func(b DelinquencyBucket) bool { return b.Name == f.Bucket }) {
		return nil, invalid("bucket", "must be one of the delinquency buckets")
	}
	return s.store.Loans(ctx, f, page)
}

// Repayments lists a loan's repayments in the order received, each with
// its allocation.
func (s *Service) Repayments(ctx context.Context, loanID ID, page Page) ([]Repayment, error) {
	if loanID == NilID {
		return nil, invalid("loan_id", "is required")
	}
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	return s.store.Repayments(ctx, loanID, page)
}

func (s *Service) needLedger() error {
	if s.ledger == nil {
		return fmt.Errorf("%w: no ledger is configured", ErrUnavailable)
	}
	return nil
}

// settle finishes the loan's pending operation, if it has one: it posts
// the operation's entry (the ledger replays it if it posted before) and
// applies the operation; an entry the ledger refuses drops it, and the
// refusal is returned. It returns the loan after.
func (s *Service) settle(ctx context.Context, l Loan) (Loan, error) {
	op := l.Pending
	if op == nil {
		return l, nil
	}
	key := op.Entry.Key
	var ref EntryRef
	var err error
	if len(op.Entry.Legs) > 0 { // an operation that moves nothing (a restructuring without arrears) posts nothing
		ref, err = s.ledger.Post(ctx, op.Entry)
		if err != nil && !errors.Is(err, ErrRefused) {
			return Loan{}, port("ledger", err)
		}
	}
	now := s.now()
	next, uerr := s.store.UpdateLoan(ctx, l.ID, func(cur Loan) (Loan, *Repayment, []event.Envelope, error) {
		if cur.Pending == nil || cur.Pending.Entry.Key != key {
			return Loan{}, nil, nil, errUnchanged
		}
		if err != nil { // refused: nothing posted, nothing recorded
			cur.Pending, cur.UpdatedAt = nil, now
			return cur, nil, nil, nil
		}
		return s.apply(cur, ref, now)
	})
	if errors.Is(uerr, errUnchanged) {
		next, uerr = s.store.Loan(ctx, l.ID)
	}
	if uerr != nil {
		return Loan{}, uerr
	}
	if err != nil {
		return Loan{}, err
	}
	return next, nil
}

// apply makes the pending operation's outcome the loan's state.
func (s *Service) apply(l Loan, ref EntryRef, now time.Time) (Loan, *Repayment, []event.Envelope, error) {
	op := l.Pending
	st := op.After
	l.Status, l.Paid, l.Disbursed, l.Outstanding, l.Advance, l.ClosedOn = st.Status, st.Paid, st.Disbursed, st.Outstanding, st.Advance, st.ClosedOn
	l.Received, l.WriteOff, l.Suspense = st.Received, st.WriteOff, st.Suspense
	if st.Schedule != nil {
		l.Schedule = *st.Schedule
	}
	l.Pending, l.UpdatedAt = nil, now
	var ev event.Envelope
	var err error
	var rep *Repayment
	switch op.Kind {
	case OpAccrual:
		return l, nil, nil, nil // accruals raise no event: the ledger's entry is the record
	case OpRestructure:
		// Only now, with the entry posted: the proposal is approved, with
		// its final decision, and the category the loan had becomes its
		// floor.
		if p := l.Collections.Proposal; p != nil {
			done := *p
			if op.Decision != nil && done.Approval != nil {
				ap := *done.Approval
				ap.Decisions = append(slices.Clone(ap.Decisions), *op.Decision)
				ap.Current++
				done.Approval = &ap
			}
			done.Status, done.DecidedOn = RestructureApproved, op.On
			l.Collections.Decided = append(slices.Clone(l.Collections.Decided), done)
		}
		l.Collections.Proposal, l.Collections.Restructured = nil, l.Collections.Restructured+1
		l.Standing.Floor = Worse(l.Standing.Floor, l.Standing.Classification)
		ev, err = s.newEvent(EventLoanRestructured, now, LoanRestructured{LoanID: l.ID, CustomerID: l.CustomerID, On: op.On,
			Outstanding: l.Outstanding, Term: l.Schedule.Len()}, l.ID, l.CustomerID)
		return l, nil, []event.Envelope{ev}, err
	case OpWriteOff:
		l.Collections.WriteOffRequest = nil
		w := *l.WriteOff
		w.Entry = ref
		l.WriteOff = &w
		ev, err = s.newEvent(EventLoanWrittenOff, now, WrittenOff{LoanID: l.ID, CustomerID: l.CustomerID, On: w.On,
			Principal: w.Principal, Interest: w.Interest, Charges: w.Charges}, l.ID, l.CustomerID)
		return l, nil, []event.Envelope{ev}, err
	case OpDisbursement:
		t := *op.Tranche
		t.Entry = ref
		l.Tranches = append(slices.Clone(l.Tranches), t)
		ev, err = s.newEvent(EventLoanDisbursed, now, LoanDisbursed{LoanID: l.ID, CustomerID: l.CustomerID, Tranche: t.Number,
			Principal: t.Principal, Cash: t.Cash, Fee: t.Fee, Outstanding: l.Outstanding, Status: l.Status}, l.ID, l.CustomerID)
	default:
		r := *op.Repayment
		r.Entry = ref
		rep = &r
		l.Repayments++
		ev, err = s.newEvent(EventRepaymentReceived, now, RepaymentReceived{LoanID: l.ID, CustomerID: l.CustomerID,
			RepaymentID: r.ID, Kind: r.Kind, Amount: r.Amount, Outstanding: l.Outstanding, Status: l.Status}, l.ID, l.CustomerID)
	}
	return l, rep, []event.Envelope{ev}, err
}

// errBusy: the loan has another operation pending.
var errBusy = errors.New("credit: the loan has an operation in progress")

// reserveAttempts bounds how often reserve finishes another operation
// pending on the loan and tries again before giving up.
const reserveAttempts = 5

// reserve records op, built by build from the loan, as the loan's pending
// operation, and then settles it. When another operation is pending (a
// concurrent one, or one a crash left), it settles that one first and
// builds again from the loan it left.
func (s *Service) reserve(ctx context.Context, id ID, build func(l *Loan, today calendar.Date) (*Operation, error)) (Loan, error) {
	for range reserveAttempts {
		today, err := s.today(ctx)
		if err != nil {
			return Loan{}, err
		}
		now := s.now()
		l, err := s.store.UpdateLoan(ctx, id, func(cur Loan) (Loan, *Repayment, []event.Envelope, error) {
			if cur.Pending != nil {
				return Loan{}, nil, nil, errBusy
			}
			op, err := build(&cur, today)
			if err != nil {
				return Loan{}, nil, nil, err
			}
			cur.Pending, cur.UpdatedAt = op, now
			return cur, nil, nil, nil
		})
		if errors.Is(err, errBusy) {
			other, err := s.store.Loan(ctx, id)
			if err != nil {
				return Loan{}, err
			}
			if _, err := s.settle(ctx, other); err != nil && !errors.Is(err, ErrRefused) {
				return Loan{}, err
			}
			continue
		}
		if err != nil {
			return Loan{}, err
		}
		return s.settle(ctx, l)
	}
	return Loan{}, fmt.Errorf("%w: loan %s is busy with other operations; try again", ErrInvalidTransition, id)
}

func (l Loan) state() LoanState {
	var w *WriteOff
	if l.WriteOff != nil {
		c := *l.WriteOff
		w = &c
	}
	var sp *Suspense
	if l.Suspense != nil {
		c := *l.Suspense
		sp = &c
	}
	return LoanState{Status: l.Status, Paid: clonePaid(l.Paid), Disbursed: l.Disbursed, Outstanding: l.Outstanding,
		Advance: l.Advance, ClosedOn: l.ClosedOn, Received: l.Received, WriteOff: w, Suspense: sp}
}

func clonePaid(p []InstalmentPaid) []InstalmentPaid { return slices.Clone(p) }

func add(a, b money.Money) money.Money {
	return money.Money{Amount: a.Amount.Add(b.Amount), Currency: a.Currency}
}
func sub(a, b money.Money) money.Money {
	return money.Money{Amount: a.Amount.Sub(b.Amount), Currency: a.Currency}
}

// legs keeps the legs with an amount.
func legs(all ...Leg) []Leg {
	out := make([]Leg, 0, len(all))
	for _, l := range all {
		if l.Amount.Amount.IsPositive() {
			out = append(out, l)
		}
	}
	return out
}

// DisbursementKey is the ledger idempotency key of a loan's tranche: the
// first is loan/<id>/disbursement, later ones loan/<id>/disbursement/<n>.
func DisbursementKey(loanID ID, tranche int) string {
	if tranche == 1 {
		return "loan/" + loanID.String() + "/disbursement"
	}
	return fmt.Sprintf("loan/%s/disbursement/%d", loanID, tranche)
}

// Disburse pays the loan out into its demand account through the ledger:
// amount is the principal of this tranche (zero: all that is left). The
// first tranche opens the loan's ledger account and carries the
// origination fee, which goes to fee income rather than the customer.
// Each tranche posts under its own key (DisbursementKey), recorded on the
// loan before it posts, so a retry after a crash finishes that tranche
// instead of paying another: disbursing a loan paid out in full is
// ErrAlreadyDisbursed, and a retry with the amount of a tranche left
// pending returns that tranche. Before the contract's value date, nothing
// is paid out (ErrInvalidTransition).
func (s *Service) Disburse(ctx context.Context, id ID, amount money.Money) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := s.needLedger(); err != nil {
		return Loan{}, err
	}
	l, err := s.store.Loan(ctx, id)
	if err != nil {
		return Loan{}, err
	}
	cur := l.Currency()
	if amount.Currency != "" && amount.Currency != cur {
		return Loan{}, invalid("amount.currency", "must be the loan's currency %s", cur)
	}
	if !amount.Amount.IsZero() {
		if amount.Currency == "" {
			return Loan{}, invalid("amount.currency", "must be the loan's currency %s", cur)
		}
		if amount.Amount.IsNegative() || !amount.Amount.Equal(amount.Amount.Round(cur.MinorUnits())) {
			return Loan{}, invalid("amount", "must be positive, in minor units of %s", cur)
		}
	}
	if p := l.Pending; p != nil {
		if l, err = s.settle(ctx, l); err != nil {
			return Loan{}, err
		}
		if p.Kind == OpDisbursement && (amount.Amount.IsZero() || amount.Amount.Equal(p.Tranche.Principal.Amount)) {
			return l, nil // this was the retry of the pending tranche
		}
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	if err := checkDisbursable(l, today); err != nil {
		return Loan{}, err
	}
	account := l.Account
	if account == NilID {
		account, err = s.ledger.OpenLoanAccount(ctx, LoanAccountRequest{LoanID: l.ID, CustomerID: l.CustomerID, Currency: cur,
			Key: "loan/" + l.ID.String() + "/account"})
		if err != nil {
			return Loan{}, port("ledger", err)
		}
	}
	now := s.now()
	return s.reserve(ctx, id, func(l *Loan, today calendar.Date) (*Operation, error) {
		if err := checkDisbursable(*l, today); err != nil {
			return nil, err
		}
		if l.Account == NilID {
			l.Account = account
		}
		principal := l.Schedule.Terms().Principal
		left := sub(principal, l.Disbursed)
		tranche := amount
		if tranche.Amount.IsZero() {
			tranche = left
		}
		if tranche.Amount.GreaterThan(left.Amount) {
			return nil, invalid("amount", "must be at most %s, the principal not yet disbursed", left.ValueString())
		}
		n := len(l.Tranches) + 1
		fee := money.Zero(principal.Currency)
		if n == 1 {
			fee = l.OriginationFee
		}
		cash := sub(tranche, fee)
		if !cash.Amount.IsPositive() {
			return nil, invalid("amount", "must be above the origination fee %s taken from the first tranche", fee.ValueString())
		}
		key := DisbursementKey(l.ID, n)
		after := l.state()
		after.Disbursed = add(l.Disbursed, tranche)
		after.Outstanding = add(l.Outstanding, tranche)
		after.Status = LoanDisbursing
		if after.Disbursed.Amount.Equal(principal.Amount) {
			after.Status = LoanActive
		}
		return &Operation{Kind: OpDisbursement, After: after,
			Tranche: &Tranche{Number: n, Principal: tranche, Cash: cash, Fee: fee, Key: key, On: today, At: now},
			Entry: LedgerEntry{Key: key, Description: fmt.Sprintf("Loan %s disbursement %d", l.ID, n),
				Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpDisbursement)},
				Legs: legs(Leg{Account: l.Account, Side: Debit, Amount: tranche},
					Leg{Account: l.DemandAccount, Side: Credit, Amount: cash},
					Leg{Chart: ChartFeesIncome, Side: Credit, Amount: fee})}}, nil
	})
}

func checkDisbursable(l Loan, today calendar.Date) error {
	switch l.Status {
	case LoanAccepted, LoanDisbursing:
	case LoanClosed:
		return fmt.Errorf("%w: loan %s", ErrLoanClosed, l.ID)
	default:
		return fmt.Errorf("%w: loan %s is paid out in full", ErrAlreadyDisbursed, l.ID)
	}
	if start := l.Schedule.Terms().Start; today.Before(start) {
		return fmt.Errorf("%w: loan %s is not paid out before its value date %s", ErrInvalidTransition, l.ID, start)
	}
	return nil
}

// checkKey checks a caller's idempotency key: 1 to 200 printable ASCII
// characters, so the ledger key made of it (loan/<id>/repayment/<key>)
// stays within the ledger's 255.
func checkKey(key string) error {
	if strings.TrimSpace(key) == "" || len(key) > maxRefLen {
		return invalid("key", "must be 1-%d characters", maxRefLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return invalid("key", "must be printable ASCII")
		}
	}
	if strings.HasPrefix(key, autoDebitKeyPrefix) {
		return invalid("key", "must not start with %q, the end of day's debits", autoDebitKeyPrefix)
	}
	return nil
}

func checkPayer(src Source, account ID, ch Channel, by string) error {
	if src != FromAccount && src != FromCash {
		return invalid("source", "must be account or cash")
	}
	if src == FromCash && account != NilID {
		return invalid("account", "must be empty for cash")
	}
	if !ch.Valid() {
		return invalid("channel", "must be branch, online, mobile or phone")
	}
	if strings.TrimSpace(by) == "" || len(by) > maxRefLen {
		return invalid("by", "must be 1-%d bytes", maxRefLen)
	}
	return text.Line(ErrInvalidInput, "by", by)
}

// source is the leg the payer's money comes from.
func (s *Service) source(ctx context.Context, l Loan, src Source, account ID, amount money.Money) (Leg, error) {
	if src == FromCash {
		return Leg{Chart: ChartVaultCash, Side: Debit, Amount: amount}, nil
	}
	if account == NilID || account == l.DemandAccount {
		return Leg{Account: l.DemandAccount, Side: Debit, Amount: amount}, nil
	}
	if err := s.ledger.CheckDemandAccount(ctx, account, l.CustomerID, l.Currency()); err != nil {
		if errors.Is(err, ErrRefused) {
			return Leg{}, invalid("account", "%v", err)
		}
		return Leg{}, port("ledger", err)
	}
	return Leg{Account: account, Side: Debit, Amount: amount}, nil
}

// replay returns the repayment recorded under key, if any: the same
// request gets it back, another one ErrKeyReused.
func (s *Service) replay(ctx context.Context, l Loan, key string, same func(Repayment) bool) (Repayment, bool, error) {
	r, err := s.store.RepaymentByKey(ctx, l.ID, key)
	if errors.Is(err, ErrNotFound) {
		return Repayment{}, false, nil
	}
	if err != nil {
		return Repayment{}, false, err
	}
	if !same(r) {
		return Repayment{}, false, fmt.Errorf("%w: key %q", ErrKeyReused, key)
	}
	return r, true, nil
}

// repaymentKey is the ledger key of a repayment under the caller's key.
func repaymentKey(l Loan, key string) string { return "loan/" + l.ID.String() + "/repayment/" + key }

// owedLine is what is unpaid of one instalment that has fallen due.
type owedLine struct {
	i                                 int
	stage                             Stage
	principal, interest, penalty, fee decimal.Decimal
}

// part is what is owed of the component.
func (ln owedLine) part(c Component) decimal.Decimal {
	switch c {
	case Principal:
		return ln.principal
	case Interest:
		return ln.interest
	case Penalty:
		return ln.penalty
	}
	return ln.fee
}

// owed lists the unpaid parts of the instalments due on or before today:
// overdue (due before today) and due (today), with the penalty interest
// and late fee the end of day charged on them.
func (l Loan) owed(today calendar.Date) []owedLine {
	var out []owedLine
	for i, in := range l.Schedule.Instalments() {
		if in.DueDate.After(today) {
			break
		}
		pd := l.Paid[i]
		p := in.Principal.Amount.Sub(pd.Principal.Amount)
		it := in.Interest.Amount.Sub(pd.Interest.Amount)
		pen := pd.PenaltyCharged.Amount.Sub(pd.Penalty.Amount)
		fee := pd.FeeCharged.Amount.Sub(pd.Fee.Amount)
		if !p.IsPositive() && !it.IsPositive() && !pen.IsPositive() && !fee.IsPositive() {
			continue
		}
		st := Overdue
		if in.DueDate == today {
			st = Due
		}
		out = append(out, owedLine{i: i, stage: st, principal: p, interest: it, penalty: pen, fee: fee})
	}
	return out
}

// paymentLoan checks a payment on loan id (a repayment or a recovery):
// its key, its payer, the ledger port, and an amount in the loan's
// currency and minor units; and reads the loan.
func (s *Service) paymentLoan(ctx context.Context, id ID, r RepaymentRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := checkKey(r.Key); err != nil {
		return Loan{}, err
	}
	if err := checkPayer(r.Source, r.Account, r.Channel, r.By); err != nil {
		return Loan{}, err
	}
	if err := s.needLedger(); err != nil {
		return Loan{}, err
	}
	l, err := s.store.Loan(ctx, id)
	if err != nil {
		return Loan{}, err
	}
	c := l.Currency()
	if r.Amount.Currency != c {
		return Loan{}, invalid("amount.currency", "must be the loan's currency %s", c)
	}
	if !r.Amount.Amount.IsPositive() || !r.Amount.Amount.Equal(r.Amount.Amount.Round(c.MinorUnits())) {
		return Loan{}, invalid("amount", "must be positive, in minor units of %s", c)
	}
	return l, nil
}

// Repay takes a repayment by the customer (from a demand account) or at
// a teller (cash): the payment, with any advance held, goes to what is
// overdue and due in the product's allocation order, oldest instalment
// first within a bucket; what is left is held as advance for the next
// instalments (or, when the loan is repaid by it, paid back into the
// demand account). The same key returns the first repayment and moves
// nothing; a closed loan is refused (ErrLoanClosed), one not paid out in
// full too (ErrInvalidTransition); a payment the ledger refuses
// (insufficient funds) is ErrRefused and leaves nothing behind.
func (s *Service) Repay(ctx context.Context, id ID, r RepaymentRequest) (Repayment, Loan, error) {
	l, err := s.paymentLoan(ctx, id, r)
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	same := func(p Repayment) bool {
		return p.Kind == OpRepayment && p.Amount.Equal(r.Amount) && p.Source == r.Source && (r.Account == NilID || p.Account == r.Account)
	}
	return s.operate(ctx, l, r.Key, same, func(ctx context.Context, l Loan) (Leg, error) {
		return s.source(ctx, l, r.Source, r.Account, r.Amount)
	}, func(l *Loan, from Leg, today calendar.Date) (*Operation, error) {
		if err := checkRepayable(*l); err != nil {
			return nil, err
		}
		return s.repayment(*l, r, from, today)
	})
}

// operate runs a repayment-like operation: a replay of key returns the
// first one; a pending operation is finished first; then build's
// operation is recorded and settled.
func (s *Service) operate(ctx context.Context, l Loan, key string, same func(Repayment) bool,
	from func(context.Context, Loan) (Leg, error), build func(*Loan, Leg, calendar.Date) (*Operation, error)) (Repayment, Loan, error) {
	if rep, ok, err := s.replay(ctx, l, key, same); err != nil || ok {
		return rep, l, err
	}
	if l.Pending != nil {
		var err error
		if l, err = s.settle(ctx, l); err != nil {
			return Repayment{}, Loan{}, err
		}
		if rep, ok, err := s.replay(ctx, l, key, same); err != nil || ok {
			return rep, l, err // the pending operation was this one
		}
	}
	if err := checkRepayable(l); err != nil {
		return Repayment{}, Loan{}, err
	}
	src, err := from(ctx, l)
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	l, err = s.reserve(ctx, l.ID, func(l *Loan, today calendar.Date) (*Operation, error) { return build(l, src, today) })
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	rep, ok, err := s.replay(ctx, l, key, same)
	if err == nil && !ok {
		err = fmt.Errorf("credit: repayment %q of loan %s was not recorded", key, l.ID)
	}
	return rep, l, err
}

func checkRepayable(l Loan) error {
	switch l.Status {
	case LoanActive:
		return nil
	case LoanClosed:
		return fmt.Errorf("%w: loan %s was repaid on %s", ErrLoanClosed, l.ID, l.ClosedOn)
	}
	return fmt.Errorf("%w: loan %s is %s; it is repaid once paid out in full", ErrInvalidTransition, l.ID, l.Status)
}

// repayment builds a repayment's operation.
func (s *Service) repayment(l Loan, r RepaymentRequest, from Leg, today calendar.Date) (*Operation, error) {
	c := l.Currency()
	m := func(d decimal.Decimal) money.Money { return money.Money{Amount: d, Currency: c} }
	lines := l.owed(today)
	owed := Owed{}
	for _, ln := range lines {
		for _, comp := range components {
			b := Bucket{ln.stage, comp}
			owed[b] = m(owed[b].Amount.Add(ln.part(comp)))
		}
	}
	funds := add(r.Amount, l.Advance)
	got, left, err := l.Allocation.Allocate(funds, owed)
	if err != nil {
		return nil, err
	}
	after := l.state()
	after.Received = add(money.Money{Amount: l.Received.Amount, Currency: c}, r.Amount)
	var parts []Part
	principal, interest, charges, receivable, booked := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for _, b := range l.Allocation {
		amt, ok := got[b]
		if !ok {
			continue
		}
		parts = append(parts, Part{Bucket: b, Amount: amt})
		rest := amt.Amount
		for _, ln := range lines { // oldest instalment first
			if ln.stage != b.Stage || !rest.IsPositive() {
				continue
			}
			p := &after.Paid[ln.i]
			take := decimal.Min(ln.part(b.Component), rest)
			switch b.Component {
			case Interest:
				receivable = receivable.Add(p.payInterest(m(take)))
				interest = interest.Add(take)
			case Principal:
				p.Principal = add(p.Principal, m(take))
				principal = principal.Add(take)
			case Penalty:
				booked = booked.Add(p.payCharge(take))
				p.Penalty = m(p.Penalty.Amount.Add(take))
				charges = charges.Add(take)
			default:
				booked = booked.Add(p.payCharge(take))
				p.Fee = m(p.Fee.Amount.Add(take))
				charges = charges.Add(take)
			}
			rest = rest.Sub(take)
		}
	}
	after.Outstanding = sub(l.Outstanding, m(principal))
	relI, relC, susp := l.Suspense.release(principal)
	after.Suspense = susp
	refund := money.Zero(c)
	after.Advance = left
	if after.Outstanding.Amount.IsZero() {
		after.Status, after.ClosedOn = LoanClosed, today
		refund, after.Advance = left, money.Zero(c)
	}
	change := after.Advance.Amount.Sub(l.Advance.Amount)
	adv := Leg{Chart: ChartLoanAdvances, Side: Credit, Amount: m(change)}
	if change.IsNegative() {
		adv = Leg{Chart: ChartLoanAdvances, Side: Debit, Amount: m(change.Neg())}
	}
	key := repaymentKey(l, r.Key)
	rep := &Repayment{ID: NewID(), LoanID: l.ID, Kind: OpRepayment, Key: r.Key, Amount: r.Amount, Source: r.Source,
		Account: from.Account, Channel: r.Channel, By: r.By, AdvanceUsed: l.Advance, Allocation: parts,
		Prepaid: money.Zero(c), Interest: money.Zero(c), Fee: money.Zero(c), AdvanceHeld: after.Advance, Refunded: refund,
		ReceivedOn: today, At: s.now()}
	return &Operation{Kind: OpRepayment, After: after, Repayment: rep,
		Entry: LedgerEntry{Key: key, Description: fmt.Sprintf("Loan %s repayment", l.ID),
			Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpRepayment)},
			Legs: append(legs(from, adv,
				Leg{Account: l.Account, Side: Credit, Amount: m(principal)},
				Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(receivable)},
				Leg{Chart: ChartInterestIncome, Side: Credit, Amount: m(interest.Sub(receivable))},
				Leg{Chart: ChartFeesReceivable, Side: Credit, Amount: m(booked)},
				Leg{Chart: ChartFeesIncome, Side: Credit, Amount: m(charges.Sub(booked))},
				Leg{Account: l.DemandAccount, Side: Credit, Amount: refund}), legs(releaseLegs(c, relI, relC)...)...)}}, nil
}

// QuotePrepayment says what an early repayment on the business date would
// cost: full (the principal, interest from the last period end to today
// and the fee on the principal) or partial (amount of principal, its fee,
// and the schedule after it, with mode or the product's). Instalments
// that have fallen due must be paid first.
func (s *Service) QuotePrepayment(ctx context.Context, id ID, full bool, amount money.Money, mode PrepaymentMode) (PrepaymentQuote, error) {
	l, err := s.Loan(ctx, id)
	if err != nil {
		return PrepaymentQuote{}, err
	}
	if err := checkRepayable(l); err != nil {
		return PrepaymentQuote{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return PrepaymentQuote{}, err
	}
	return s.quote(l, full, amount, mode, today)
}

func (s *Service) quote(l Loan, full bool, amount money.Money, mode PrepaymentMode, today calendar.Date) (PrepaymentQuote, error) {
	c := l.Currency()
	if lines := l.owed(today); len(lines) > 0 {
		return PrepaymentQuote{}, fmt.Errorf("%w: instalment %d of loan %s has fallen due and is unpaid; repay what is due first",
			ErrInvalidTransition, lines[0].i+1, l.ID)
	}
	ins := l.Schedule.Instalments()
	after := 0
	for after < len(ins) && !ins[after].DueDate.After(today) {
		after++
	}
	q := PrepaymentQuote{After: after, Interest: money.Zero(c)}
	if full {
		if !amount.Amount.IsZero() && amount.Currency != c {
			return PrepaymentQuote{}, invalid("amount.currency", "must be the loan's currency %s", c)
		}
		q.Principal = l.Outstanding
		if after < len(ins) {
			next := ins[after]
			if today.After(next.PeriodStart) {
				i := money.SimpleInterest(l.Outstanding.Amount, next.Rate, l.Schedule.Terms().DayCount, next.PeriodStart, today)
				q.Interest = money.Money{Amount: i.RoundBank(c.MinorUnits()), Currency: c}
			}
		}
	} else {
		if mode == "" {
			mode = l.PrepaymentMode
		}
		if amount.Currency != c {
			return PrepaymentQuote{}, invalid("amount.currency", "must be the loan's currency %s", c)
		}
		if after == 0 {
			return PrepaymentQuote{}, invalid("amount", "a partial prepayment follows a paid instalment; before the first, repay in full")
		}
		next, err := l.Schedule.Prepay(after, amount, mode, s.cal)
		if err != nil {
			return PrepaymentQuote{}, err
		}
		q.Principal, q.Schedule = amount, &next
	}
	q.Fee = l.PrepaymentFee.On(q.Principal)
	q.Total = add(add(q.Principal, q.Interest), q.Fee)
	q.AdvanceUsed = money.Money{Amount: decimal.Min(l.Advance.Amount, q.Total.Amount), Currency: c}
	q.Payable = sub(q.Total, q.AdvanceUsed)
	return q, nil
}

// Prepay repays the loan early: in full (the quote's principal, interest
// to date and fee; r.Amount zero or the quote's payable amount), or in
// part (r.Amount of principal and its fee; the schedule is computed again
// by r.Mode or the product's mode). Advance held pays first. Keys, replays
// and refusals are as for Repay.
func (s *Service) Prepay(ctx context.Context, id ID, r PrepaymentRequest) (Repayment, Loan, error) {
	if id == NilID {
		return Repayment{}, Loan{}, invalid("id", "is required")
	}
	if err := checkKey(r.Key); err != nil {
		return Repayment{}, Loan{}, err
	}
	if err := checkPayer(r.Source, r.Account, r.Channel, r.By); err != nil {
		return Repayment{}, Loan{}, err
	}
	if r.Mode != "" && !r.Mode.Valid() {
		return Repayment{}, Loan{}, invalid("mode", "must be reduce_term or reduce_instalment")
	}
	if !r.Full && !r.Amount.Amount.IsPositive() {
		return Repayment{}, Loan{}, invalid("amount", "must be positive")
	}
	if err := s.needLedger(); err != nil {
		return Repayment{}, Loan{}, err
	}
	l, err := s.store.Loan(ctx, id)
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	kind := OpPrepayment
	if r.Full {
		kind = OpPayoff
	}
	same := func(p Repayment) bool {
		return p.Kind == kind && p.Source == r.Source && (r.Full && (r.Amount.Amount.IsZero() || p.Amount.Equal(r.Amount)) ||
			!r.Full && p.Prepaid.Equal(r.Amount))
	}
	var q PrepaymentQuote
	return s.operate(ctx, l, r.Key, same, func(ctx context.Context, l Loan) (Leg, error) {
		var err error
		today, err := s.today(ctx)
		if err != nil {
			return Leg{}, err
		}
		if q, err = s.quote(l, r.Full, r.Amount, r.Mode, today); err != nil {
			return Leg{}, err
		}
		if r.Full && !r.Amount.Amount.IsZero() && !r.Amount.Equal(q.Payable) {
			return Leg{}, invalid("amount", "must be %s, the amount payable to repay the loan in full today", q.Payable.ValueString())
		}
		return s.source(ctx, l, r.Source, r.Account, q.Payable)
	}, func(l *Loan, from Leg, today calendar.Date) (*Operation, error) {
		again, err := s.quote(*l, r.Full, r.Amount, r.Mode, today)
		if err != nil {
			return nil, err
		}
		if !again.Payable.Equal(q.Payable) {
			return nil, fmt.Errorf("%w: loan %s changed while the prepayment was quoted; try again", ErrInvalidTransition, l.ID)
		}
		return s.prepayment(*l, r, kind, again, from, today)
	})
}

func (s *Service) prepayment(l Loan, r PrepaymentRequest, kind OperationKind, q PrepaymentQuote, from Leg, today calendar.Date) (*Operation, error) {
	c := l.Currency()
	after := l.state()
	after.Received = add(money.Money{Amount: l.Received.Amount, Currency: c}, q.Payable)
	after.Outstanding = sub(l.Outstanding, q.Principal)
	after.Advance = sub(l.Advance, q.AdvanceUsed)
	relI, relC, susp := l.Suspense.release(q.Principal.Amount)
	after.Suspense = susp
	refund := money.Zero(c)
	// held is the interest receivable the loan carries: a payoff clears
	// it, the interest to date going to it first and any difference to
	// income; a partial prepayment keeps what the new schedule's
	// instalments still owe and reverses the rest.
	held := l.receivable()
	receivable, reversed := decimal.Zero, decimal.Zero
	if kind == OpPayoff {
		after.Status, after.ClosedOn = LoanClosed, today
		refund, after.Advance = after.Advance, money.Zero(c)
		receivable = held
	} else {
		after.Schedule = q.Schedule
		paid := make([]InstalmentPaid, q.Schedule.Len())
		copy(paid, l.Paid[:q.After])
		ins := q.Schedule.Instalments()
		for i := q.After; i < len(paid); i++ {
			paid[i] = InstalmentPaid{Principal: money.Zero(c), Interest: money.Zero(c)}
			if i < len(l.Paid) {
				keep := decimal.Min(l.Paid[i].Recognised.Amount, ins[i].Interest.Amount)
				if keep.IsPositive() {
					paid[i].Recognised = m(c, keep)
				}
				reversed = reversed.Add(l.Paid[i].Recognised.Amount.Sub(keep))
			}
		}
		after.Paid = paid
	}
	income := q.Interest.Amount.Sub(receivable).Sub(reversed)
	var alloc []Part
	for _, p := range []Part{{Bucket{Advance, Principal}, q.Principal}, {Bucket{Due, Interest}, q.Interest}, {Bucket{Advance, FeePart}, q.Fee}} {
		if p.Amount.Amount.IsPositive() {
			alloc = append(alloc, p)
		}
	}
	rep := &Repayment{ID: NewID(), LoanID: l.ID, Kind: kind, Key: r.Key, Amount: q.Payable, Source: r.Source,
		Account: from.Account, Channel: r.Channel, By: r.By, AdvanceUsed: q.AdvanceUsed, Allocation: alloc,
		Prepaid: q.Principal, Interest: q.Interest, Fee: q.Fee, AdvanceHeld: after.Advance, Refunded: refund,
		ReceivedOn: today, At: s.now()}
	return &Operation{Kind: kind, After: after, Repayment: rep,
		Entry: LedgerEntry{Key: repaymentKey(l, r.Key), Description: fmt.Sprintf("Loan %s %s", l.ID, kind),
			Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(kind)},
			Legs: append(legs(from,
				Leg{Chart: ChartLoanAdvances, Side: Debit, Amount: add(q.AdvanceUsed, refund)},
				Leg{Account: l.Account, Side: Credit, Amount: q.Principal},
				Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(c, receivable.Add(reversed))},
				signed(ChartInterestIncome, Credit, m(c, income)),
				Leg{Chart: ChartFeesIncome, Side: Credit, Amount: q.Fee},
				Leg{Account: l.DemandAccount, Side: Credit, Amount: refund}), legs(releaseLegs(c, relI, relC)...)...)}}, nil
}
