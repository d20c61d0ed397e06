package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Kind is the type of a term deposit, each with its own interest rule:
// the classic RMB savings products. The zero value is LumpSum, the time
// deposit as it always was.
type Kind int

const (
	// LumpSum (整存整取): the principal placed once, paid at maturity with
	// the term's interest.
	LumpSum Kind = iota
	// Instalments (零存整取): a fixed instalment paid in every month of the
	// term, principal and interest paid together at maturity. Interest is
	// the sum of the monthly balances × the monthly rate (累计月积数法). A
	// month missed may be made up in the next (two instalments); a miss
	// not made up by the end of the next month, or a second miss, is a
	// breach, and the deposit then earns the demand rate on each
	// instalment for the actual days it was held.
	Instalments
	// PrincipalPayouts (整存零取): a lump sum paid back in equal parts of
	// principal every PayoutMonths, the last part at maturity with the
	// interest, which is earned on the average balance.
	PrincipalPayouts
	// InterestPayouts (存本取息): the principal kept to maturity, the
	// interest paid out every PayoutMonths.
	InterestPayouts
	// Flexible (定活两便): no term; when withdrawn, it earns a fraction of
	// the fixed-term rate of the longest band the holding reached (3
	// months, 6 months, 1 year), the demand rate below the first band.
	Flexible
	// Notice (通知存款): no term; withdrawn after NoticeDays' notice (one
	// or seven) it earns the product's notice rate, withdrawn without or
	// before the notice the demand rate.
	Notice
)

var kindNames = map[Kind]string{
	LumpSum:          "lump_sum",
	Instalments:      "instalments",
	PrincipalPayouts: "principal_payouts",
	InterestPayouts:  "interest_payouts",
	Flexible:         "flexible",
	Notice:           "notice",
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool {
	_, ok := kindNames[k]
	return ok
}

// String returns the snake_case name.
func (k Kind) String() string {
	if name, ok := kindNames[k]; ok {
		return name
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (k Kind) MarshalText() ([]byte, error) { return marshalName(kindNames, k, "Kind") }

// UnmarshalText implements encoding.TextUnmarshaler; on error k is unchanged.
func (k *Kind) UnmarshalText(text []byte) error { return unmarshalName(kindNames, k, "Kind", text) }

// OpenEnded reports whether deposits of the kind have no term: they are
// recorded with the longest term (MaxTermMonths) and never mature on
// their own.
func (k Kind) OpenEnded() bool { return k == Flexible || k == Notice }

// Band is a fixed-term rate a flexible deposit may reach: Rate is the
// fixed-term rate for deposits of Months.
type Band struct {
	Months int
	Rate   decimal.Decimal
}

// NoticeGiven is a notice to withdraw Amount from a notice deposit on Due,
// given on Given.
type NoticeGiven struct {
	Given  calendar.Date
	Due    calendar.Date
	Amount money.Money
}

// validateKind checks the rules a kind needs. Errors wrap kind and name
// the field under parent.
func (r TermRules) validateKind(kind error, parent string) error {
	if !r.Kind.Valid() {
		return invalid(kind, parent+".Kind", "%s is not a deposit kind", r.Kind)
	}
	if err := checkNonNegative(kind, parent, "MinimumDeposit", r.MinimumDeposit); err != nil {
		return err
	}
	if err := checkNonNegative(kind, parent, "MinimumWithdrawal", r.MinimumWithdrawal); err != nil {
		return err
	}
	if err := checkNonNegative(kind, parent, "FlexibleFraction", r.FlexibleFraction); err != nil {
		return err
	}
	switch r.Kind {
	case PrincipalPayouts, InterestPayouts:
		if r.PayoutMonths < 1 || r.PayoutMonths > 12 {
			return invalid(kind, parent+".PayoutMonths", "%d is outside 1..12", r.PayoutMonths)
		}
	case Notice:
		if r.NoticeDays != 1 && r.NoticeDays != 7 {
			return invalid(kind, parent+".NoticeDays", "%d is not 1 or 7", r.NoticeDays)
		}
	case Flexible:
		if !r.FlexibleFraction.IsPositive() || r.FlexibleFraction.GreaterThan(decimal.NewFromInt(1)) {
			return invalid(kind, parent+".FlexibleFraction", "%s is outside (0, 1]", r.FlexibleFraction)
		}
		if len(r.Bands) == 0 {
			return invalid(kind, parent+".Bands", "a flexible deposit needs at least one band")
		}
		for i, b := range r.Bands {
			field := fmt.Sprintf("%s.Bands[%d]", parent, i)
			if b.Months < 1 || b.Months > MaxTermMonths || (i > 0 && b.Months <= r.Bands[i-1].Months) {
				return invalid(kind, field+".Months", "%d is not a term in months above the previous band's", b.Months)
			}
			if err := checkRate(kind, field+".Rate", b.Rate); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateState checks the state a deposit of its kind carries.
func (td TimeDeposit) validateState() error {
	k := td.Rules.Kind
	switch {
	case k != Instalments && len(td.PaidOn) > 0:
		return invalid(ErrInvalidDeposit, "PaidOn", "only an instalment deposit has instalments")
	case k != PrincipalPayouts && k != InterestPayouts && td.Payouts != 0:
		return invalid(ErrInvalidDeposit, "Payouts", "only a deposit paying out on a schedule has payouts")
	case k != Notice && td.Notice != nil:
		return invalid(ErrInvalidDeposit, "Notice", "only a notice deposit takes a notice")
	case k.OpenEnded() && td.TermMonths != MaxTermMonths:
		return invalid(ErrInvalidDeposit, "TermMonths", "a %s deposit has no term: %d, not %d", k, td.TermMonths, MaxTermMonths)
	}
	switch k {
	case Instalments:
		if err := checkSize(ErrInvalidDeposit, "Instalment", td.Instalment); err != nil {
			return err
		}
		if !td.Instalment.IsPositive() || !td.Instalment.Equal(td.Instalment.Truncate(td.Principal.Currency.MinorUnits())) {
			return invalid(ErrInvalidDeposit, "Instalment", "%s is not a positive amount in %s", td.Instalment, td.Principal.Currency)
		}
		if len(td.PaidOn) < 1 || len(td.PaidOn) > td.TermMonths {
			return invalid(ErrInvalidDeposit, "PaidOn", "%d instalments for a term of %d months", len(td.PaidOn), td.TermMonths)
		}
		want := td.Instalment.Mul(decimal.NewFromInt(int64(len(td.PaidOn))))
		if !td.Principal.Amount.Equal(want) {
			return invalid(ErrInvalidDeposit, "Principal", "%s is not %d instalments of %s", td.Principal, len(td.PaidOn), td.Instalment)
		}
		for i, d := range td.PaidOn {
			if !d.Valid() || d.Before(td.Start) || !d.Before(td.Maturity()) || (i > 0 && d.Before(td.PaidOn[i-1])) {
				return invalid(ErrInvalidDeposit, fmt.Sprintf("PaidOn[%d]", i), "%s is not a day of the term in order", d)
			}
		}
	case PrincipalPayouts, InterestPayouts:
		if td.TermMonths%td.Rules.PayoutMonths != 0 {
			return invalid(ErrInvalidDeposit, "TermMonths", "%d is not a whole number of %d-month intervals", td.TermMonths, td.Rules.PayoutMonths)
		}
		if td.Payouts < 0 || td.Payouts >= td.payoutCount() {
			return invalid(ErrInvalidDeposit, "Payouts", "%d is outside 0..%d", td.Payouts, td.payoutCount()-1)
		}
	case Notice:
		if n := td.Notice; n != nil && (!n.Given.Valid() || n.Due != n.Given.AddDays(td.Rules.NoticeDays) || n.Amount.Currency != td.Principal.Currency || !n.Amount.IsPositive()) {
			return invalid(ErrInvalidDeposit, "Notice", "is not a notice of %d days for an amount in %s", td.Rules.NoticeDays, td.Principal.Currency)
		}
	}
	return nil
}

// monthOf is the month of the term (0 for the first) d falls in.
func (td TimeDeposit) monthOf(d calendar.Date) int {
	m := 0
	for m < td.TermMonths && !d.Before(td.Start.AddMonths(m+1)) {
		m++
	}
	return m
}

// InstalmentCounts returns how many instalments were paid in each month of
// the term of an Instalments deposit.
func (td TimeDeposit) InstalmentCounts() []int {
	counts := make([]int, td.TermMonths)
	for _, d := range td.PaidOn {
		if m := td.monthOf(d); m < len(counts) {
			counts[m]++
		}
	}
	return counts
}

// Breached reports whether an Instalments deposit has broken its plan by
// asOf: two months missed, or one missed and not made up in the month
// after (counting only months that have ended by asOf).
func (td TimeDeposit) Breached(asOf calendar.Date) bool {
	if td.Rules.Kind != Instalments {
		return false
	}
	counts := td.InstalmentCounts()
	misses := 0
	for m := range counts {
		if counts[m] > 0 || asOf.Before(td.Start.AddMonths(m+1)) {
			continue // paid, or the month has not ended
		}
		misses++
		madeUp := m+1 < len(counts) && counts[m+1] >= 2
		nextEnded := m+1 >= len(counts) || !asOf.Before(td.Start.AddMonths(m+2))
		if misses >= 2 || (!madeUp && nextEnded && m+1 < len(counts)) {
			return true
		}
	}
	return false
}

// CheckInstalment reports whether an instalment may be paid on day: in
// the term, not in breach, at most one a month and two in the month after
// a missed one, and no more than the term's months in all. Errors wrap
// ErrInvalidInput naming "day", or ErrInstalment.
func (td TimeDeposit) CheckInstalment(day calendar.Date) error {
	if err := td.Validate(); err != nil {
		return err
	}
	switch {
	case td.Rules.Kind != Instalments:
		return fmt.Errorf("%w: a %s deposit takes no instalments", ErrInstalment, td.Rules.Kind)
	case !day.Valid() || day.Before(td.Start) || !day.Before(td.Maturity()):
		return invalid(ErrInvalidInput, "day", "%s is not a day of the term %s to %s", day, td.Start, td.Maturity())
	case td.Breached(day):
		return fmt.Errorf("%w: the deposit broke its plan (two months missed, or one not made up); it earns the demand rate", ErrInstalment)
	case len(td.PaidOn) >= td.TermMonths:
		return fmt.Errorf("%w: all %d instalments are paid", ErrInstalment, td.TermMonths)
	}
	counts := td.InstalmentCounts()
	m := td.monthOf(day)
	allowed := 1
	if m > 0 && counts[m-1] == 0 {
		allowed = 2 // making up the month before
	}
	if counts[m] >= allowed {
		return fmt.Errorf("%w: month %d of the term (from %s) is paid already", ErrInstalment, m+1, td.Start.AddMonths(m))
	}
	return nil
}

// instalmentInterest is an Instalments deposit's interest at maturity:
// the sum of the monthly balances (the balance of each month of the term
// after its instalments) × the annual rate / 12, or, in breach, each
// instalment at demandRate for the actual days from its payment to
// maturity on the demand day count.
func (td TimeDeposit) instalmentInterest(demandRate decimal.Decimal) (money.Money, error) {
	c := td.Principal.Currency
	if td.Breached(td.Maturity()) {
		raw := decimal.Zero
		for _, d := range td.PaidOn {
			raw = raw.Add(money.SimpleInterest(td.Instalment, demandRate, td.demandDayCount(), d, td.Maturity()))
		}
		return money.Round(raw, c, td.Rounding)
	}
	return money.Round(td.MonthlyBalanceSum().Mul(td.Rate).Div(decimal.NewFromInt(12)), c, td.Rounding)
}

// MonthlyBalanceSum is an Instalments deposit's 累计月积数 in money: the
// sum over the months of the term of the balance after that month's
// instalments. Twelve monthly instalments of A make 78 × A.
func (td TimeDeposit) MonthlyBalanceSum() decimal.Decimal {
	sum, paid := decimal.Zero, 0
	for _, n := range td.InstalmentCounts() {
		paid += n
		sum = sum.Add(td.Instalment.Mul(decimal.NewFromInt(int64(paid))))
	}
	return sum
}

// payoutCount is the number of payouts of a deposit paying out on a
// schedule, the last at maturity.
func (td TimeDeposit) payoutCount() int {
	if td.Rules.PayoutMonths < 1 {
		return 1
	}
	return td.TermMonths / td.Rules.PayoutMonths
}

// NextPayout is the date of the next scheduled payout before maturity of
// a PrincipalPayouts or InterestPayouts deposit; ok is false when the
// next event is the maturity itself.
func (td TimeDeposit) NextPayout() (date calendar.Date, ok bool) {
	if td.Rules.Kind != PrincipalPayouts && td.Rules.Kind != InterestPayouts {
		return calendar.Date{}, false
	}
	if td.Payouts+1 >= td.payoutCount() {
		return calendar.Date{}, false
	}
	return td.Start.AddMonths((td.Payouts + 1) * td.Rules.PayoutMonths), true
}

// Due is the date of the deposit's next scheduled event: its next payout,
// or its maturity.
func (td TimeDeposit) Due() calendar.Date {
	if d, ok := td.NextPayout(); ok {
		return d
	}
	return td.Maturity()
}

// principalPart is one scheduled part of a PrincipalPayouts deposit's
// principal: the principal over the number of parts, rounded down to the
// minor unit, the last part taking what is left.
func (td TimeDeposit) principalPart(last bool) money.Money {
	c := td.Principal.Currency
	n := decimal.NewFromInt(int64(td.payoutCount()))
	part := td.Principal.Amount.Div(n).RoundFloor(c.MinorUnits())
	if last {
		part = td.Principal.Amount.Sub(part.Mul(n.Sub(decimal.NewFromInt(1))))
	}
	return money.Money{Amount: part, Currency: c}
}

// intervalInterest is one interval's interest of an InterestPayouts
// deposit: Principal × Rate × PayoutMonths / 12, rounded.
func (td TimeDeposit) intervalInterest() (money.Money, error) {
	raw := td.Principal.Amount.Mul(td.Rate).Mul(decimal.NewFromInt(int64(td.Rules.PayoutMonths))).Div(decimal.NewFromInt(12))
	return money.Round(raw, td.Principal.Currency, td.Rounding)
}

// averageBalanceInterest is a PrincipalPayouts deposit's interest at
// maturity: each interval's balance × its months × Rate / 12, that is the
// average balance (全部本金 + 每次支取本金) / 2 for the whole term.
func (td TimeDeposit) averageBalanceInterest() (money.Money, error) {
	part := td.principalPart(false).Amount
	sum := decimal.Zero
	for i := 0; i < td.payoutCount(); i++ {
		sum = sum.Add(td.Principal.Amount.Sub(part.Mul(decimal.NewFromInt(int64(i)))))
	}
	raw := sum.Mul(decimal.NewFromInt(int64(td.Rules.PayoutMonths))).Mul(td.Rate).Div(decimal.NewFromInt(12))
	return money.Round(raw, td.Principal.Currency, td.Rounding)
}

// Payout is one scheduled payout before maturity of a PrincipalPayouts
// (a part of the principal) or InterestPayouts (an interval's interest)
// deposit.
type Payout struct {
	Date      calendar.Date
	Number    int // 1 for the first
	Principal money.Money
	Interest  money.Money
	// Next is the deposit after the payout.
	Next TimeDeposit
}

// PayScheduled returns the deposit's next scheduled payout before
// maturity. Errors wrap ErrInvalidInput when the next event is the
// maturity (Mature it) or the deposit pays nothing on a schedule.
func (td TimeDeposit) PayScheduled() (Payout, error) {
	if err := td.Validate(); err != nil {
		return Payout{}, err
	}
	date, ok := td.NextPayout()
	if !ok {
		return Payout{}, invalid(ErrInvalidInput, "Payouts", "the next event of this %s deposit is its maturity", td.Rules.Kind)
	}
	c := td.Principal.Currency
	p := Payout{Date: date, Number: td.Payouts + 1, Principal: money.Zero(c), Interest: money.Zero(c), Next: td}
	p.Next.Payouts++
	if td.Rules.Kind == PrincipalPayouts {
		p.Principal = td.principalPart(false)
		return p, nil
	}
	var err error
	p.Interest, err = td.intervalInterest()
	return p, err
}

// principalLeft is what a PrincipalPayouts deposit still holds after its
// payouts; the whole principal for the other kinds.
func (td TimeDeposit) principalLeft() money.Money {
	if td.Rules.Kind != PrincipalPayouts {
		return td.Principal
	}
	part := td.principalPart(false)
	return money.Money{Amount: td.Principal.Amount.Sub(part.Amount.Mul(decimal.NewFromInt(int64(td.Payouts)))), Currency: part.Currency}
}

// interestPaid is the interest an InterestPayouts deposit has paid out
// so far.
func (td TimeDeposit) interestPaid() (money.Money, error) {
	c := td.Principal.Currency
	if td.Rules.Kind != InterestPayouts || td.Payouts == 0 {
		return money.Zero(c), nil
	}
	each, err := td.intervalInterest()
	if err != nil {
		return money.Money{}, err
	}
	return money.Money{Amount: each.Amount.Mul(decimal.NewFromInt(int64(td.Payouts))), Currency: c}, nil
}

// heldInterest is the interest at the demand rate on what a deposit held
// from Start to asOf, on the demand day count: each instalment from its
// day, a PrincipalPayouts deposit's principal less each part from the day
// it was paid out.
func (td TimeDeposit) heldInterest(demandRate decimal.Decimal, asOf calendar.Date) (money.Money, error) {
	dc, c := td.demandDayCount(), td.Principal.Currency
	raw := decimal.Zero
	switch td.Rules.Kind {
	case Instalments:
		for _, d := range td.PaidOn {
			raw = raw.Add(money.SimpleInterest(td.Instalment, demandRate, dc, d, asOf))
		}
	case PrincipalPayouts:
		part := td.principalPart(false).Amount
		from, balance := td.Start, td.Principal.Amount
		for i := 1; i <= td.Payouts; i++ {
			to := td.Start.AddMonths(i * td.Rules.PayoutMonths)
			raw = raw.Add(money.SimpleInterest(balance, demandRate, dc, from, to))
			from, balance = to, balance.Sub(part)
		}
		raw = raw.Add(money.SimpleInterest(balance, demandRate, dc, from, asOf))
	default:
		raw = money.SimpleInterest(td.Principal.Amount, demandRate, dc, td.Start, asOf)
	}
	return money.Round(raw, c, td.Rounding)
}

// FlexibleRate is the annual rate a Flexible deposit earns when withdrawn
// on asOf: FlexibleFraction × the rate of the longest band whose months
// the holding reached (a band of 3 months is reached on Start + 3
// months), demandRate when none is reached. bands are the product's on
// asOf (Chinese banks pay the rate posted on the day of withdrawal).
func (td TimeDeposit) FlexibleRate(asOf calendar.Date, demandRate decimal.Decimal) decimal.Decimal {
	rate := demandRate
	for _, b := range td.Rules.Bands {
		if !asOf.Before(td.Start.AddMonths(b.Months)) {
			rate = b.Rate.Mul(td.Rules.FlexibleFraction)
		}
	}
	return rate
}

// NoticeWithdrawal is the settlement of a withdrawal from a Notice
// deposit.
type NoticeWithdrawal struct {
	Date     calendar.Date
	DaysHeld int
	Amount   money.Money
	// Noticed is the part withdrawn as noticed, at the notice rate; the
	// rest of Amount earns the demand rate.
	Noticed  money.Money
	Interest money.Money
	Payout   money.Money
	// Remaining is the deposit after the withdrawal, its notice used;
	// Closed when nothing remains.
	Remaining TimeDeposit
	Closed    bool
	Note      string
}

// checkNoticeAmount checks an amount to notice or withdraw: at least the
// minimum withdrawal, at most the principal, leaving nothing or at least
// the minimum remaining. Errors name "amount".
func (td TimeDeposit) checkNoticeAmount(amount money.Money) error {
	if err := checkSize(ErrInvalidInput, "amount", amount.Amount); err != nil {
		return err
	}
	rest := td.Principal.Amount.Sub(amount.Amount)
	switch {
	case !amount.Valid() || amount.Currency != td.Principal.Currency || !amount.IsPositive():
		return invalid(ErrInvalidInput, "amount", "%s is not a positive amount in %s", amount, td.Principal.Currency)
	case rest.IsNegative():
		return invalid(ErrInvalidInput, "amount", "%s is more than the deposit's %s", amount, td.Principal)
	case amount.Amount.LessThan(td.Rules.MinimumWithdrawal) && !rest.IsZero():
		return invalid(ErrInvalidInput, "amount", "%s is below the minimum withdrawal of %s", amount, td.Rules.MinimumWithdrawal)
	case !rest.IsZero() && rest.LessThan(td.Rules.MinimumRemaining):
		return invalid(ErrInvalidInput, "amount", "%s would leave %s, below the minimum of %s; withdraw it all", amount, rest, td.Rules.MinimumRemaining)
	}
	return nil
}

// GiveNotice records a notice, given on day, to withdraw amount NoticeDays
// later; it replaces an earlier notice. The amount must be one
// WithdrawNoticed would accept (the error names "amount").
func (td TimeDeposit) GiveNotice(day calendar.Date, amount money.Money) (TimeDeposit, error) {
	if err := td.Validate(); err != nil {
		return td, err
	}
	switch {
	case td.Rules.Kind != Notice:
		return td, fmt.Errorf("%w: a %s deposit takes no notice", ErrInstalment, td.Rules.Kind)
	case !day.Valid() || day.Before(td.Start):
		return td, invalid(ErrInvalidInput, "day", "%s is not a day of the deposit from %s", day, td.Start)
	}
	if err := td.checkNoticeAmount(amount); err != nil {
		return td, err
	}
	next := td
	next.Notice = &NoticeGiven{Given: day, Due: day.AddDays(td.Rules.NoticeDays), Amount: amount}
	return next, nil
}

// WithdrawNoticed withdraws amount from a Notice deposit on day, with
// interest for the days since Start: on the day a notice falls due, up to
// the noticed amount earns the deposit's rate and any more the demand
// rate; without a notice, or before or after its day, all of it earns
// demandRate (PBoC 《通知存款管理办法》). Both on the demand day count.
// A partial withdrawal must be at least Rules.MinimumWithdrawal and leave
// at least Rules.MinimumRemaining (errors name "amount").
func (td TimeDeposit) WithdrawNoticed(day calendar.Date, amount money.Money, demandRate decimal.Decimal) (NoticeWithdrawal, error) {
	if err := td.Validate(); err != nil {
		return NoticeWithdrawal{}, err
	}
	switch {
	case td.Rules.Kind != Notice:
		return NoticeWithdrawal{}, fmt.Errorf("%w: a %s deposit is not withdrawn on notice", ErrInstalment, td.Rules.Kind)
	case !day.Valid() || day.Before(td.Start):
		return NoticeWithdrawal{}, invalid(ErrInvalidInput, "day", "%s is not a day of the deposit from %s", day, td.Start)
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return NoticeWithdrawal{}, err
	}
	if err := td.checkNoticeAmount(amount); err != nil {
		return NoticeWithdrawal{}, err
	}
	c := td.Principal.Currency
	noticed := money.Zero(c)
	if n := td.Notice; n != nil && n.Due == day {
		noticed = money.Money{Amount: decimal.Min(n.Amount.Amount, amount.Amount), Currency: c}
	}
	dc := td.demandDayCount()
	raw := money.SimpleInterest(noticed.Amount, td.Rate, dc, td.Start, day).
		Add(money.SimpleInterest(amount.Amount.Sub(noticed.Amount), demandRate, dc, td.Start, day))
	paid, err := money.Round(raw, c, td.Rounding)
	if err != nil {
		return NoticeWithdrawal{}, err
	}
	payout, err := amount.Add(paid)
	if err != nil {
		return NoticeWithdrawal{}, err
	}
	rest := td
	rest.Principal = money.Money{Amount: td.Principal.Amount.Sub(amount.Amount), Currency: c}
	rest.Notice = nil
	days := day.DaysSince(td.Start)
	note := fmt.Sprintf("Withdrawal of %s after %d days: %s on notice at %s%%, the rest at the demand-deposit rate of %s%%.",
		amount, days, noticed, percent(td.Rate), percent(demandRate))
	return NoticeWithdrawal{Date: day, DaysHeld: days, Amount: amount, Noticed: noticed, Interest: paid, Payout: payout,
		Remaining: rest, Closed: rest.Principal.IsZero(), Note: note}, nil
}

// PayInstalment returns the Instalments deposit after an instalment paid
// on day, once CheckInstalment allows it.
func (td TimeDeposit) PayInstalment(day calendar.Date) (TimeDeposit, error) {
	if err := td.CheckInstalment(day); err != nil {
		return td, err
	}
	next := td
	next.PaidOn = append(append([]calendar.Date(nil), td.PaidOn...), day)
	next.Principal = money.Money{Amount: td.Principal.Amount.Add(td.Instalment), Currency: td.Principal.Currency}
	return next, nil
}

// checkNonNegative checks an optional amount of a product's rules: in
// range and not negative. A plain zero, the usual value, costs nothing:
// products are validated on every accrual.
func checkNonNegative(kind error, parent, name string, d decimal.Decimal) error {
	if d.Exponent() == 0 && d.IsZero() {
		return nil
	}
	if err := checkSize(kind, parent+"."+name, d); err != nil {
		return err
	}
	if d.IsNegative() {
		return invalid(kind, parent+"."+name, "%s is negative", d)
	}
	return nil
}
