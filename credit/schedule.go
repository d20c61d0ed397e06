package credit

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Terms are what a schedule is computed from: the loan's amount, rate and
// shape. TermsFor derives them from a product; they can also be written by
// hand (a migrated loan, a quote).
type Terms struct {
	// Principal is the amount to repay: what is lent plus a financed fee.
	Principal money.Money `json:"principal"`
	// Disbursed is the cash the borrower receives (the principal less a
	// deducted fee, or without a financed one); the APR is the rate that
	// discounts the instalments to it. Zero: the principal.
	Disbursed  money.Money     `json:"disbursed,omitzero"`
	AnnualRate decimal.Decimal `json:"annual_rate"` // contract rate: 0.06 is 6%
	Term       int             `json:"term"`        // number of periods

	Method         RepaymentMethod     `json:"repayment_method"`
	InterestMethod InterestMethod      `json:"interest_method"`
	DayCount       money.DayCount      `json:"day_count"`
	Frequency      Frequency           `json:"frequency"`
	Adjustment     calendar.Adjustment `json:"adjustment"`

	// Start is the value date: interest runs from it.
	Start calendar.Date `json:"start"`
	// FirstDue is the end of the first period. Zero: one regular period
	// after Start. Another date makes a broken first period (shorter or
	// longer than a regular one, at most two), whose interest is counted
	// by DayCount; later periods are regular and anchored on it.
	FirstDue calendar.Date `json:"first_due,omitzero"`

	GracePrincipal int `json:"grace_principal"`
	GraceInterest  int `json:"grace_interest"`
}

// Instalment is one line of a schedule. Interest is counted over the
// unadjusted period (PeriodStart to PeriodEnd) and paid on DueDate, the
// period end moved onto a business day, so moving a due date over a
// weekend neither costs nor saves the borrower interest.
type Instalment struct {
	Number      int             `json:"number"` // from 1
	PeriodStart calendar.Date   `json:"period_start"`
	PeriodEnd   calendar.Date   `json:"period_end"`
	DueDate     calendar.Date   `json:"due_date"`
	Rate        decimal.Decimal `json:"rate"` // the annual rate of the period
	Principal   money.Money     `json:"principal"`
	// Interest is the interest payable on DueDate; Accrued the interest of
	// this period. They differ only in a grace on interest, whose accruals
	// are deferred to the first instalment after it.
	Interest money.Money `json:"interest"`
	Accrued  money.Money `json:"accrued"`
	// Prepaid is principal prepaid on the due date, after the instalment
	// (Schedule.Prepay); Balance is what is outstanding after both.
	Prepaid money.Money `json:"prepaid,omitzero"`
	Balance money.Money `json:"balance"`
}

// Total is the instalment's payment: principal plus interest.
func (in Instalment) Total() money.Money {
	return money.Money{Amount: in.Principal.Amount.Add(in.Interest.Amount), Currency: in.Principal.Currency}
}

// Schedule is a loan's repayment plan. It keeps its lines in minor units
// and makes money values of them on request (Instalments, Instalment), so
// computing one is cheap enough for quotes and end of day; the zero
// Schedule has no instalments.
type Schedule struct {
	terms  Terms
	lines  []line
	places int32
	// sums of the lines, minor units (principal includes prepayments)
	interest, principal int64
	// fixed is the number of leading instalments that a prepayment or a
	// repricing has made history: later changes may not reach before it.
	fixed int
}

// day is a calendar.Date packed into 32 bits (year<<9 | month<<5 | day),
// so a line stays small: a 360-line schedule is one small allocation.
type day int32

func pack(d calendar.Date) day { return day(d.Year<<9 | int(d.Month)<<5 | d.Day) }

func (d day) date() calendar.Date {
	return calendar.Date{Year: int(d >> 9), Month: time.Month(d >> 5 & 15), Day: int(d & 31)}
}

// line is an instalment in minor units, the rate in millionths: no
// pointers, so a schedule is one allocation the collector need not scan.
// A line's period starts where the one before ends (the first at
// Terms.Start).
type line struct {
	end, due                                             day
	rate, principal, interest, accrued, prepaid, balance int64
}

// Terms are the terms the schedule was computed from. After a
// reprice, the rate of each instalment is its own (Instalment.Rate).
func (s Schedule) Terms() Terms { return s.terms }

// Len is the number of instalments.
func (s Schedule) Len() int { return len(s.lines) }

// Instalment returns instalment k, from 1 to Len.
func (s Schedule) Instalment(k int) (Instalment, error) {
	if k < 1 || k > len(s.lines) {
		return Instalment{}, invalid("instalment", "must be from 1 to %d", len(s.lines))
	}
	return s.instalment(k - 1), nil
}

func (s Schedule) instalment(i int) Instalment {
	l := s.lines[i]
	start := s.terms.Start
	if i > 0 {
		start = s.lines[i-1].end.date()
	}
	in := Instalment{Number: i + 1, PeriodStart: start, PeriodEnd: l.end.date(), DueDate: l.due.date(), Rate: decimal.New(l.rate, -rateScale),
		Principal: s.money(l.principal), Interest: s.money(l.interest), Balance: s.money(l.balance)}
	in.Accrued = in.Interest // immutable, so shared when equal
	if l.accrued != l.interest {
		in.Accrued = s.money(l.accrued)
	}
	if l.prepaid != 0 {
		in.Prepaid = s.money(l.prepaid)
	}
	return in
}

// Instalments returns every instalment, in order.
func (s Schedule) Instalments() []Instalment {
	out := make([]Instalment, len(s.lines))
	for i := range s.lines {
		out[i] = s.instalment(i)
	}
	return out
}

// TotalInterest is the interest over the life of the loan.
func (s Schedule) TotalInterest() money.Money { return s.money(s.interest) }

// TotalPayable is principal (with prepayments) plus interest over the life
// of the loan.
func (s Schedule) TotalPayable() money.Money { return s.money(s.interest + s.principal) }

// Maturity is the due date of the last instalment.
func (s Schedule) Maturity() calendar.Date {
	if len(s.lines) == 0 {
		return calendar.Date{}
	}
	return s.lines[len(s.lines)-1].due.date()
}

func (s Schedule) money(minor int64) money.Money {
	return money.Money{Amount: decimal.New(minor, -s.places), Currency: s.terms.Principal.Currency}
}

// scheduleJSON is the JSON form of a Schedule.
type scheduleJSON struct {
	Terms         Terms        `json:"terms"`
	Instalments   []Instalment `json:"instalments"`
	TotalInterest money.Money  `json:"total_interest"`
	TotalPayable  money.Money  `json:"total_payable"`
	// FixedThrough is the instalment of the last prepayment or repricing
	// (0: none), before which no change may reach.
	FixedThrough int `json:"fixed_through"`
}

// MarshalJSON writes the terms, every instalment and the totals.
func (s Schedule) MarshalJSON() ([]byte, error) {
	return json.Marshal(scheduleJSON{Terms: s.terms, Instalments: s.Instalments(),
		TotalInterest: s.TotalInterest(), TotalPayable: s.TotalPayable(), FixedThrough: s.fixed})
}

// UnmarshalJSON reads what MarshalJSON writes, so a stored schedule (a
// contract's, one changed by prepayments and repricing) comes back as it
// was. It checks that the instalments hold together — numbered in order,
// each period starting where the one before ended, due dates rising,
// amounts in minor units of the terms' currency, each balance the one
// before less the principal and prepayment, ending at zero, the totals
// their sums — and refuses, naming the field, what does not.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var w scheduleJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return invalid("schedule", "%v", err)
	}
	if err := w.Terms.Validate(); err != nil {
		return within("terms", err)
	}
	c := w.Terms.Principal.Currency
	places := c.MinorUnits()
	n := len(w.Instalments)
	if n == 0 || n > MaxProductTerm {
		return invalid("instalments", "must have 1-%d instalments", MaxProductTerm)
	}
	if w.FixedThrough < 0 || w.FixedThrough > n {
		return invalid("fixed_through", "must be from 0 to %d", n)
	}
	out := Schedule{terms: w.Terms, lines: make([]line, n), places: places, fixed: w.FixedThrough}
	balance := toMinor(w.Terms.Principal.Amount, places)
	start, prevDue := w.Terms.Start, calendar.Date{}
	for i, in := range w.Instalments {
		f := fmt.Sprintf("instalments[%d]", i)
		if in.Number != i+1 {
			return invalid(f+".number", "must be %d", i+1)
		}
		if in.PeriodStart != start || !in.PeriodEnd.Valid() || !in.PeriodEnd.After(start) {
			return invalid(f+".period_start", "the period must start on %s and end after it", start)
		}
		if !in.DueDate.Valid() || !in.DueDate.After(prevDue) || in.DueDate.Before(start) || in.DueDate.Year > 9999 || in.PeriodEnd.Year > 9999 {
			return invalid(f+".due_date", "must be after the due date before it and not before its period")
		}
		if err := checkRate(f+".rate", in.Rate, false); err != nil {
			return err
		}
		var amounts [5]int64
		for j, m := range []struct {
			name string
			v    money.Money
		}{{"principal", in.Principal}, {"interest", in.Interest}, {"accrued", in.Accrued}, {"prepaid", in.Prepaid}, {"balance", in.Balance}} {
			if m.v.Currency == "" && m.v.Amount.IsZero() && m.name == "prepaid" {
				continue
			}
			if m.v.Currency != c || m.v.Amount.IsNegative() || !m.v.Amount.Equal(m.v.Amount.Round(places)) {
				return invalid(f+"."+m.name, "must be a non-negative amount in minor units of %s", c)
			}
			if m.v.Amount.GreaterThan(w.Terms.Principal.Amount.Mul(decimal.NewFromInt(100))) {
				return invalid(f+"."+m.name, "is out of proportion to the principal")
			}
			amounts[j] = toMinor(m.v.Amount, places)
		}
		balance -= amounts[0] + amounts[3]
		if balance != amounts[4] {
			return invalid(f+".balance", "must be %s: the balance before less principal and prepayment", out.money(balance).ValueString())
		}
		out.lines[i] = line{end: pack(in.PeriodEnd), due: pack(in.DueDate), rate: rateMicro(in.Rate),
			principal: amounts[0], interest: amounts[1], accrued: amounts[2], prepaid: amounts[3], balance: amounts[4]}
		out.interest += amounts[1]
		out.principal += amounts[0] + amounts[3]
		start, prevDue = in.PeriodEnd, in.DueDate
	}
	if balance != 0 {
		return invalid(fmt.Sprintf("instalments[%d].balance", n-1), "must be zero")
	}
	if !w.TotalInterest.Equal(out.TotalInterest()) || !w.TotalPayable.Equal(out.TotalPayable()) {
		return invalid("total_interest", "the totals must be the instalments' sums")
	}
	*s = out
	return nil
}

// Validate checks the terms, naming the first field at fault.
func (t Terms) Validate() error {
	c := t.Principal.Currency
	if !c.Valid() {
		return invalid("principal.currency", "must be an ISO 4217 code")
	}
	if !t.Principal.Amount.IsPositive() {
		return invalid("principal", "must be positive")
	}
	if err := checkAmount("principal", t.Principal.Amount, c); err != nil {
		return err
	}
	if !t.Disbursed.Amount.IsZero() || t.Disbursed.Currency != "" {
		if t.Disbursed.Currency != c {
			return invalid("disbursed.currency", "must be the principal's currency %s", c)
		}
		if err := checkAmount("disbursed", t.Disbursed.Amount, c); err != nil {
			return err
		}
		if !t.Disbursed.Amount.IsPositive() || t.Disbursed.Amount.GreaterThan(t.Principal.Amount) {
			return invalid("disbursed", "must be positive and at most the principal")
		}
	}
	if err := checkRate("annual_rate", t.AnnualRate, false); err != nil {
		return err
	}
	if t.Term < 1 || t.Term > MaxProductTerm {
		return invalid("term", "must be 1-%d periods", MaxProductTerm)
	}
	if !t.Method.Valid() {
		return invalid("repayment_method", "must be annuity, equal_principal, interest_only or bullet")
	}
	if !t.InterestMethod.Valid() {
		return invalid("interest_method", "must be declining or flat")
	}
	if t.InterestMethod == Flat && t.Method != Annuity {
		return invalid("interest_method", "flat is quoted only for annuity loans")
	}
	if !t.DayCount.Valid() {
		return invalid("day_count", "must be ACT/365F, ACT/360, 30/360 or ACT/ACT")
	}
	if !t.Frequency.Valid() {
		return invalid("frequency", "must be monthly, biweekly or weekly")
	}
	if !t.Adjustment.Valid() {
		return invalid("adjustment", "must be a business-day convention")
	}
	if !t.Start.Valid() || t.Start.IsZero() {
		return invalid("start", "must be a date")
	}
	if last := t.Frequency.add(t.Start, t.Term+2); !last.Valid() || last.Year > 9999 {
		return invalid("term", "runs past the year 9999")
	}
	if !t.FirstDue.IsZero() {
		if !t.FirstDue.Valid() {
			return invalid("first_due", "must be a date")
		}
		if !t.FirstDue.After(t.Start) || t.FirstDue.After(t.Frequency.add(t.Start, 2)) {
			return invalid("first_due", "must be after start and at most two periods after it")
		}
	}
	p := Product{Method: t.Method, GracePrincipal: t.GracePrincipal, GraceInterest: t.GraceInterest}
	return p.checkGrace(t.Term, "term")
}

// firstDue is the end of the first period.
func (t Terms) firstDue() calendar.Date {
	if t.FirstDue.IsZero() {
		return t.Frequency.add(t.Start, 1)
	}
	return t.FirstDue
}

// broken reports whether the first period is not a regular one.
func (t Terms) broken() bool { return t.firstDue() != t.Frequency.add(t.Start, 1) }

// NewSchedule computes the schedule of the terms: a pure, deterministic
// function. Due dates are moved onto business days of cal by the terms'
// Adjustment; a nil cal leaves them as they fall. Every amount is in
// minor units of the currency, rounded half-even; the last instalment
// takes the remaining principal, so the principal sums exactly to
// Terms.Principal.
//
// A regular period's interest is the balance times the annual rate over
// Frequency.PerYear (the periodic rate of Chinese retail loans, 月利率 =
// 年利率/12); a broken first period's is the balance times the annual rate
// times the DayCount fraction of its days.
func NewSchedule(t Terms, cal *calendar.BusinessCalendar) (Schedule, error) {
	if err := t.Validate(); err != nil {
		return Schedule{}, err
	}
	e := newEngine(t, cal)
	return e.run(0, t.Term, e.principal, t.AnnualRate, 0, 0, nil)
}

// engine computes schedules in minor units with integer arithmetic (a
// 128-bit product and quotient per accrual), so a 360-period schedule
// costs microseconds; only the level instalment and a broken period's
// interest are computed in decimal.
type engine struct {
	t         Terms
	cal       *calendar.BusinessCalendar
	places    int32
	principal int64 // of the terms, minor units
	anchor    calendar.Date
	ppy       int64
}

func newEngine(t Terms, cal *calendar.BusinessCalendar) *engine {
	places := t.Principal.Currency.MinorUnits()
	return &engine{t: t, cal: cal, places: places, principal: toMinor(t.Principal.Amount, places),
		anchor: t.firstDue(), ppy: int64(t.Frequency.PerYear())}
}

func toMinor(d decimal.Decimal, places int32) int64 { return d.Shift(places).IntPart() }

// rateMicro is an annual rate in millionths (rates carry at most six
// decimals).
func rateMicro(r decimal.Decimal) int64 { return r.Shift(rateScale).IntPart() }

// regular is the interest of one regular period on balance.
func (e *engine) regular(balance, micro int64) int64 {
	return mulDivHalfEven(balance, micro, 1_000_000*e.ppy)
}

// periodEnd is the unadjusted end of period k (from 1).
func (e *engine) periodEnd(k int) calendar.Date { return e.t.Frequency.add(e.anchor, k-1) }

// accrued is the interest of period k (from 1) on balance.
func (e *engine) accrued(k int, balance int64, rate decimal.Decimal, micro int64) int64 {
	if k == 1 && e.t.broken() {
		i := money.SimpleInterest(decimal.New(balance, 0), rate, e.t.DayCount, e.t.Start, e.anchor)
		return i.RoundBank(0).IntPart()
	}
	return e.regular(balance, micro)
}

// level is the equal instalment that repays balance over n regular
// periods at the annual rate: P·r / (1 − (1+r)^−n) = P·r·q / (q − 1) with
// r the periodic rate and q = (1+r)^n, rounded half-even to the minor
// unit. r is the fraction R/D (the rate in millionths over a million
// periods a year), and q is computed in binary fixed point with
// levelBits fractional bits, truncated after each product: relative
// error below 2^-(levelBits-20), far under a minor unit of any amount.
func (e *engine) level(balance int64, rate decimal.Decimal, n int) int64 {
	micro := rateMicro(rate)
	if micro == 0 {
		return divHalfEven(balance, int64(n))
	}
	d := big.NewInt(1_000_000 * e.ppy)
	one := new(big.Int).Lsh(big.NewInt(1), levelBits)
	// x = (1 + R/D) in fixed point
	x := new(big.Int).Lsh(big.NewInt(1_000_000*e.ppy+micro), levelBits)
	x.Quo(x, d)
	q := new(big.Int).Set(one)
	for k := n; k > 0; k >>= 1 {
		if k&1 == 1 {
			q.Mul(q, x).Rsh(q, levelBits)
		}
		x.Mul(x, x).Rsh(x, levelBits)
	}
	// A = P·R·q / (D·(q − 1))
	num := new(big.Int).Mul(big.NewInt(balance), big.NewInt(micro))
	num.Mul(num, q)
	den := new(big.Int).Sub(q, one)
	den.Mul(den, d)
	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	rem.Lsh(rem, 1)
	if c := rem.Cmp(den); c > 0 || c == 0 && quo.Bit(0) == 1 {
		quo.Add(quo, big.NewInt(1))
	}
	return quo.Int64()
}

// levelBits is the fixed-point precision of level.
const levelBits = 128

// powRound is x^n by squaring, each product rounded to prec decimals so
// the digits stay bounded.
func powRound(x decimal.Decimal, n int, prec int32) decimal.Decimal {
	result := decimal.NewFromInt(1)
	for n > 0 {
		if n&1 == 1 {
			result = result.Mul(x).Round(prec)
		}
		x = x.Mul(x).Round(prec)
		n >>= 1
	}
	return result
}

// run computes instalments from+1 .. n, with balance outstanding after
// instalment from, at rate, interest deferred so far in deferred, and
// kept the instalments before (which it copies). fixed, when not zero, is
// the level to keep (the instalment of an annuity, the principal per
// period of equal principal) instead of one computed for the remaining
// periods.
func (e *engine) run(from, n int, balance int64, rate decimal.Decimal, deferred, fixed int64, kept []line) (Schedule, error) {
	t := e.t
	micro := rateMicro(rate)
	lines := make([]line, from, n)
	copy(lines, kept)
	amortising := n - max(t.GracePrincipal, from) // periods that repay principal
	lvl := fixed
	if t.Method == Bullet {
		return e.bullet(rate)
	}
	prevDue := calendar.Date{}
	if from > 0 {
		prevDue = kept[from-1].due.date()
	}
	start := t.Start
	if from > 0 {
		start = kept[from-1].end.date()
	}
	broken := t.broken()
	for k := from + 1; k <= n; k++ {
		end := e.periodEnd(k)
		due := end
		if e.cal != nil {
			d, err := e.cal.Adjust(end, t.Adjustment)
			if err != nil {
				return Schedule{}, invalid("start", "a due date cannot be moved onto a business day: %v", err)
			}
			due = d
		}
		if !due.After(prevDue) || due.Before(start) {
			return Schedule{}, invalid("adjustment", "moves due date %s to %s, on or before the one before it", end, due)
		}
		prevDue = due
		reg := e.regular(balance, micro)
		acc := reg
		switch {
		case t.InterestMethod == Flat:
			acc = e.accrued(k, e.principal, rate, micro)
		case k == 1 && broken:
			acc = e.accrued(k, balance, rate, micro)
		}
		var prin, pay int64
		switch {
		case k <= t.GraceInterest:
			deferred += acc
		case k <= t.GracePrincipal || t.Method == InterestOnly && k < n:
			pay, deferred = acc+deferred, 0
		default:
			if lvl == 0 {
				lvl = e.levelFor(balance, rate, amortising)
			}
			switch {
			case k == n:
				prin = balance
			case t.Method == Annuity && t.InterestMethod == Declining:
				prin = lvl - reg
			default: // equal principal; flat annuity
				prin = lvl
			}
			prin = min(max(prin, 0), balance)
			pay, deferred = acc+deferred, 0
		}
		balance -= prin
		lines = append(lines, line{end: pack(end), due: pack(due), rate: micro,
			principal: prin, interest: pay, accrued: acc, balance: balance})
		start = end
	}
	return e.finish(lines), nil
}

// levelFor is the per-period level of the method over n amortising
// periods: the instalment of a declining annuity, the principal per period
// otherwise.
func (e *engine) levelFor(balance int64, rate decimal.Decimal, n int) int64 {
	if e.t.Method == Annuity && e.t.InterestMethod == Declining {
		return e.level(balance, rate, n)
	}
	return divHalfEven(balance, int64(n))
}

// bullet is the one-line schedule of a bullet loan: all interest, on the
// whole principal, with the principal at maturity.
func (e *engine) bullet(rate decimal.Decimal) (Schedule, error) {
	t := e.t
	end := e.periodEnd(t.Term)
	due := end
	if e.cal != nil {
		d, err := e.cal.Adjust(end, t.Adjustment)
		if err != nil {
			return Schedule{}, invalid("start", "the due date cannot be moved onto a business day: %v", err)
		}
		due = d
	}
	// The first period (broken or not) plus Term-1 regular ones, summed
	// unrounded and rounded once.
	first := money.SimpleInterest(decimal.New(e.principal, 0), rate, t.DayCount, t.Start, e.anchor)
	if !t.broken() {
		first = decimal.New(e.principal, 0).Mul(rate).DivRound(decimal.NewFromInt(e.ppy), 20)
	}
	rest := decimal.New(e.principal, 0).Mul(rate).Mul(decimal.NewFromInt(int64(t.Term-1))).DivRound(decimal.NewFromInt(e.ppy), 20)
	acc := first.Add(rest).RoundBank(0).IntPart()
	l := line{end: pack(end), due: pack(due), rate: rateMicro(rate), principal: e.principal, interest: acc, accrued: acc}
	return e.finish([]line{l}), nil
}

func (e *engine) finish(lines []line) Schedule {
	s := Schedule{terms: e.t, lines: lines, places: e.places}
	for _, l := range lines {
		s.interest += l.interest
		s.principal += l.principal + l.prepaid
	}
	return s
}

// mulDivHalfEven is a×b/d rounded half-even, for non-negative a, b and
// positive d whose quotient fits in 63 bits (balances are bounded by
// money.Capacity, rates by 100%).
func mulDivHalfEven(a, b, d int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(d))
	if twice := 2 * r; twice > uint64(d) || twice == uint64(d) && q&1 == 1 {
		q++
	}
	return int64(q)
}

func divHalfEven(a, d int64) int64 { return mulDivHalfEven(a, 1, d) }
