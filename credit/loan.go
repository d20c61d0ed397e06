package credit

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// LoanStatus is where a loan is in its life.
type LoanStatus string

// The loan statuses.
const (
	LoanAccepted   LoanStatus = "accepted"   // the contract is accepted; nothing paid out yet
	LoanDisbursing LoanStatus = "disbursing" // paid out in part (tranches)
	LoanActive     LoanStatus = "active"     // paid out in full, being repaid
	LoanClosed     LoanStatus = "closed"     // repaid in full
	// LoanWrittenOff: taken off the balance sheet as a loss; what was
	// owed is tracked off balance sheet (WriteOff) and recoveries are
	// still received.
	LoanWrittenOff LoanStatus = "written_off"
)

// Loan is a loan made from an accepted contract. Its principal lives on
// a ledger account of its own (Account), so Outstanding and that
// account's balance agree whenever no operation is pending.
type Loan struct {
	ID              ID         `json:"id"`
	ContractID      ID         `json:"contract_id"`
	ContractVersion int        `json:"contract_version"`
	ApplicationID   ID         `json:"application_id"`
	CustomerID      ID         `json:"customer_id"`
	ProductID       ID         `json:"product_id"`
	Status          LoanStatus `json:"status"`

	Schedule       Schedule        `json:"schedule"`
	Allocation     AllocationOrder `json:"allocation_order"`
	OriginationFee money.Money     `json:"origination_fee"`
	PrepaymentFee  Fee             `json:"prepayment_fee"`
	PrepaymentMode PrepaymentMode  `json:"prepayment_mode"`

	// Account is the loan's ledger account (opened with the first
	// disbursement); DemandAccount the customer's account it is paid into
	// and repaid from by default.
	Account       ID `json:"account,omitzero"`
	DemandAccount ID `json:"demand_account"`

	// Disbursed is the principal paid out so far (a deducted fee counts:
	// it is principal the bank kept back), over Tranches.
	Disbursed money.Money `json:"disbursed"`
	Tranches  []Tranche   `json:"tranches,omitempty"`
	// Outstanding is the principal owed: disbursed less repaid.
	Outstanding money.Money `json:"outstanding"`
	// Paid is what has been paid of each instalment of Schedule.
	Paid []InstalmentPaid `json:"paid"`
	// Advance is money received ahead of what is due, held for the next
	// instalments.
	Advance money.Money `json:"advance"`
	// Repayments counts the repayments received.
	Repayments int `json:"repayments"`
	// Pending is a money movement recorded before its ledger entry posts:
	// the next operation on the loan finishes it first, so a crash between
	// the entry and its record leaves neither half alone.
	Pending *Operation `json:"pending,omitempty"`

	// Standing is days past due, bucket and classification as the
	// credit end of day last left them.
	Standing Delinquency `json:"standing"`

	// Grade and PD are the application's grade and probability of
	// default when it was scored: the risk measures read them.
	Grade string          `json:"grade,omitempty"`
	PD    decimal.Decimal `json:"pd"`
	// Received is everything paid in on the loan so far (repayments,
	// prepayments, recoveries): promises to pay are kept against it.
	Received money.Money `json:"received,omitzero"`
	// Collections holds the collections work on the loan: actions,
	// promises to pay, restructurings.
	Collections Collections `json:"collections,omitzero"`
	// WriteOff is what was written off and recovered since, once the loan
	// is written off.
	WriteOff *WriteOff `json:"write_off,omitempty"`
	// Suspense is the interest and charges a restructuring on non-accrual
	// capitalised and that are not yet paid: in the principal, held on
	// interest suspense, released to income as principal is repaid.
	Suspense *Suspense `json:"suspense,omitempty"`

	ClosedOn  calendar.Date `json:"closed_on,omitzero"`
	Version   int64         `json:"version"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Currency is the loan's currency.
func (l Loan) Currency() money.Currency { return l.Schedule.Terms().Principal.Currency }

// Suspense is what a loan holds on interest suspense.
type Suspense struct {
	Interest money.Money `json:"interest"`
	Charges  money.Money `json:"charges"` // penalty interest and fees
}

// total is what is held, zero without a suspense.
func (s *Suspense) total() decimal.Decimal {
	if s == nil {
		return decimal.Zero
	}
	return s.Interest.Amount.Add(s.Charges.Amount)
}

// release takes up to amount out of suspense, interest first, and
// returns what it releases of each and the suspense left (nil when
// none).
func (s *Suspense) release(amount decimal.Decimal) (interest, charges decimal.Decimal, left *Suspense) {
	if s == nil || !amount.IsPositive() {
		return decimal.Zero, decimal.Zero, s
	}
	interest = decimal.Min(amount, s.Interest.Amount)
	charges = decimal.Min(amount.Sub(interest), s.Charges.Amount)
	c := s.Interest.Currency
	n := Suspense{Interest: m(c, s.Interest.Amount.Sub(interest)), Charges: m(c, s.Charges.Amount.Sub(charges))}
	if n.total().IsZero() {
		return interest, charges, nil
	}
	return interest, charges, &n
}

// releaseLegs are the legs of a release from suspense to income.
func releaseLegs(c money.Currency, interest, charges decimal.Decimal) []Leg {
	return []Leg{{Chart: ChartInterestSuspense, Side: Debit, Amount: m(c, interest.Add(charges))},
		{Chart: ChartInterestIncome, Side: Credit, Amount: m(c, interest)},
		{Chart: ChartFeesIncome, Side: Credit, Amount: m(c, charges)}}
}

// Tranche is one disbursement.
type Tranche struct {
	Number    int           `json:"number"`
	Principal money.Money   `json:"principal"` // added to what is owed
	Cash      money.Money   `json:"cash"`      // paid into the demand account
	Fee       money.Money   `json:"fee"`       // the origination fee, with the first tranche
	Key       string        `json:"key"`
	Entry     EntryRef      `json:"entry"`
	On        calendar.Date `json:"on"`
	At        time.Time     `json:"at"`
}

// InstalmentPaid is what has been paid of one instalment, and the
// penalty interest and late fee the end of day charged on it.
type InstalmentPaid struct {
	Principal money.Money `json:"principal"`
	Interest  money.Money `json:"interest"`
	Penalty   money.Money `json:"penalty,omitzero"`
	Fee       money.Money `json:"fee,omitzero"`

	PenaltyCharged money.Money `json:"penalty_charged,omitzero"`
	FeeCharged     money.Money `json:"fee_charged,omitzero"`

	// Recognised is the instalment's interest recognised as income so
	// far: accrued day by day by the end of day (into interest
	// receivable) or, when paid before it accrued, at payment. What is
	// recognised and not yet paid is on interest receivable.
	Recognised money.Money `json:"recognised,omitzero"`
	// Booked is the penalty interest and late fee charged on the
	// instalment that the end of day has booked to fees receivable
	// (and fee income); a payment of them clears the receivable.
	Booked money.Money `json:"booked,omitzero"`
}

// OperationKind is the kind of a money movement on a loan.
type OperationKind string

// The kinds of operation.
const (
	OpDisbursement OperationKind = "disbursement"
	OpRepayment    OperationKind = "repayment"   // of what is due, the rest held as advance
	OpPrepayment   OperationKind = "prepayment"  // partial early repayment
	OpPayoff       OperationKind = "payoff"      // full early repayment
	OpAccrual      OperationKind = "accrual"     // interest accrued by the end of day
	OpRestructure  OperationKind = "restructure" // arrears capitalised into a new schedule
	OpWriteOff     OperationKind = "write_off"   // the loan taken off the balance sheet
	OpRecovery     OperationKind = "recovery"    // money received after a write-off
)

// Operation is a money movement on a loan: the ledger entry it posts and
// what it changes on the loan once posted.
type Operation struct {
	Kind      OperationKind `json:"kind"`
	Entry     LedgerEntry   `json:"entry"`
	Tranche   *Tranche      `json:"tranche,omitempty"`
	Repayment *Repayment    `json:"repayment,omitempty"`
	// On is the business date of an accrual, restructuring or write-off.
	On calendar.Date `json:"on,omitzero"`
	// After is the loan's state once the entry has posted.
	After LoanState `json:"after"`
	// Decision is the final approval of a restructuring, recorded with
	// its proposal as the operation is applied.
	Decision *Decision `json:"decision,omitempty"`
}

// Source is where a repayment's money comes from.
type Source string

// The sources of a repayment.
const (
	FromAccount Source = "account" // a demand account of the customer (default: the loan's)
	FromCash    Source = "cash"    // cash paid in at a teller
)

// Part is what one bucket of what was owed received.
type Part struct {
	Bucket Bucket      `json:"bucket"`
	Amount money.Money `json:"amount"`
}

// Repayment is a payment received on a loan and how it was allocated, as
// stored and shown.
type Repayment struct {
	ID     ID            `json:"id"`
	LoanID ID            `json:"loan_id"`
	Kind   OperationKind `json:"kind"`
	// Key is the caller's idempotency key: the same key returns this
	// repayment and moves nothing.
	Key     string      `json:"key"`
	Amount  money.Money `json:"amount"` // paid in
	Source  Source      `json:"source"`
	Account ID          `json:"account,omitzero"` // with FromAccount
	Channel Channel     `json:"channel"`
	By      string      `json:"by"`
	// AdvanceUsed is advance held from earlier payments that this one
	// spent; Allocation the split, in the product's order, of the payment
	// and the advance over what was owed.
	AdvanceUsed money.Money `json:"advance_used"`
	Allocation  []Part      `json:"allocation"`
	// Prepaid is principal repaid ahead of the schedule, Interest the
	// interest to date charged by a payoff, Fee the prepayment fee.
	Prepaid  money.Money `json:"prepaid"`
	Interest money.Money `json:"interest"`
	Fee      money.Money `json:"fee"`
	// AdvanceHeld is what was left over, held as advance; Refunded what
	// was paid back into the demand account because the loan closed.
	AdvanceHeld money.Money   `json:"advance_held"`
	Refunded    money.Money   `json:"refunded"`
	Entry       EntryRef      `json:"entry"`
	ReceivedOn  calendar.Date `json:"received_on"`
	At          time.Time     `json:"at"`
}

// RepaymentRequest is a repayment by the customer or a teller.
type RepaymentRequest struct {
	Amount  money.Money `json:"amount"`
	Source  Source      `json:"source"`
	Account ID          `json:"account,omitzero"` // FromAccount: zero is the loan's demand account
	Channel Channel     `json:"channel"`
	By      string      `json:"by"`
	Key     string      `json:"key"` // the caller's idempotency key
}

// PrepaymentRequest is an early repayment: Full repays the loan (Amount
// zero, or the quote's total), otherwise Amount is the principal to prepay
// and Mode (zero: the product's) what the schedule does with it.
type PrepaymentRequest struct {
	Full    bool           `json:"full"`
	Amount  money.Money    `json:"amount"`
	Mode    PrepaymentMode `json:"mode,omitempty"`
	Source  Source         `json:"source"`
	Account ID             `json:"account,omitzero"`
	Channel Channel        `json:"channel"`
	By      string         `json:"by"`
	Key     string         `json:"key"`
}

// PrepaymentQuote is what an early repayment would cost on a date.
type PrepaymentQuote struct {
	Principal   money.Money `json:"principal"` // prepaid
	Interest    money.Money `json:"interest"`  // to date, for a full repayment
	Fee         money.Money `json:"fee"`
	Total       money.Money `json:"total"`        // principal, interest and fee
	AdvanceUsed money.Money `json:"advance_used"` // of the advance held
	Payable     money.Money `json:"payable"`      // Total less AdvanceUsed: what is debited
	// After is the instalment the prepayment follows (the last one due).
	After int `json:"after"`
	// Schedule is the schedule after a partial prepayment.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// LoanFilter selects loans; zero fields select all.
type LoanFilter struct {
	CustomerID ID
	Status     LoanStatus
	// Bucket selects loans the end of day left in the delinquency bucket;
	// Overdue those with days past due.
	Bucket  string
	Overdue bool
}

// Matches reports whether l is selected by f: what every Store's Loans
// filters on.
func (f LoanFilter) Matches(l Loan) bool {
	return (f.CustomerID == NilID || l.CustomerID == f.CustomerID) && (f.Status == "" || l.Status == f.Status) &&
		(f.Bucket == "" || l.Standing.Bucket == f.Bucket) && (!f.Overdue || l.Standing.DaysPastDue > 0)
}
