package credit

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// The ports: what credit needs from other subsystems, declared here so
// credit imports none of them. The reference server adapts the customer
// subsystem, the ledger and a bureau client to them; tests use fakes.

// BusinessDates is the bank's business-date source: the banking day the
// bank is open for, which its end of day moves on (*ledger.Service is
// one). An error is a failure of the source (ErrUnavailable to callers).
type BusinessDates interface {
	BusinessDate(ctx context.Context) (calendar.Date, error)
}

// FixedBusinessDate is a BusinessDates that always answers its date: a
// Service working on one day (a back-dated book, a test).
type FixedBusinessDate calendar.Date

// BusinessDate implements BusinessDates.
func (d FixedBusinessDate) BusinessDate(context.Context) (calendar.Date, error) {
	return calendar.Date(d), nil
}

// Customers answers what credit needs to know about a customer.
type Customers interface {
	// Facts returns the customer's facts, or an error wrapping
	// ErrNotFound when there is no such customer.
	Facts(ctx context.Context, customerID ID) (CustomerFacts, error)
}

// CustomerFacts are the customer's KYC facts eligibility rests on.
type CustomerFacts struct {
	KYCVerified   bool          // identity checked and current
	DateOfBirth   calendar.Date // for the age rules
	CustomerSince calendar.Date // first relationship with the bank
}

// Bureau fetches a customer's credit report from a credit bureau (the
// PBoC Credit Reference Center, a private bureau).
type Bureau interface {
	// Report returns the customer's report. A customer the bureau does
	// not know is a report with Hit false, not an error.
	Report(ctx context.Context, customerID ID) (BureauReport, error)
}

// BureauReport is the part of a bureau report the scorecard reads.
type BureauReport struct {
	Hit                  bool            `json:"hit"`                   // the bureau knows the customer
	Score                int             `json:"score"`                 // the bureau's own score; 0 without one
	Enquiries6M          int             `json:"enquiries_6m"`          // hard enquiries in 6 months
	Delinquencies24M     int             `json:"delinquencies_24m"`     // payments 30+ days late in 24 months
	OpenAccounts         int             `json:"open_accounts"`         // open credit accounts
	RevolvingUtilisation decimal.Decimal `json:"revolving_utilisation"` // balances / limits, 0.35 is 35%
}

// Behaviour computes features from the customer's own history with the
// bank (the ledger's postings to their accounts).
type Behaviour interface {
	Features(ctx context.Context, customerID ID, asOf calendar.Date) (Features, error)
}

// Features are behavioural features of a customer over the last year.
type Features struct {
	AverageBalance   decimal.Decimal `json:"average_balance"`    // of demand accounts, in the product's currency
	SalaryRegularity decimal.Decimal `json:"salary_regularity"`  // share of months with a salary-like inflow, 0-1
	OverdrawnDays    int             `json:"overdrawn_days"`     // days any account was below zero
	MonthsAsCustomer int             `json:"months_as_customer"` // since the first account
}

// Ledger is what credit needs of the bank's ledger: a ledger account for
// each loan, money moved by balanced entries under credit's idempotency
// keys, and balances read back. The reference server adapts
// ledger.Service to it (refserver/creditport).
//
// Errors: an entry the ledger refuses for good (insufficient funds, a
// closed or foreign account, a bad amount) wraps ErrRefused, and nothing
// was posted; any other failure leaves it unknown whether the entry
// posted, and posting it again under the same key is safe.
type Ledger interface {
	// OpenLoanAccount opens (or, with the same key, returns) the ledger
	// account that carries the loan's principal, owned by the customer.
	OpenLoanAccount(ctx context.Context, r LoanAccountRequest) (ID, error)
	// CheckDemandAccount returns nil when account is an active demand
	// account of the customer in the currency; ErrRefused otherwise.
	CheckDemandAccount(ctx context.Context, account, customerID ID, c money.Currency) error
	// Post posts a balanced entry; a second Post with the same key
	// returns the first entry's reference and posts nothing.
	Post(ctx context.Context, e LedgerEntry) (EntryRef, error)
	// Balance is the account's balance in its normal-side terms (a loan
	// account's balance is the principal owed).
	Balance(ctx context.Context, account ID) (money.Money, error)
}

// LoanAccountRequest asks for a loan's ledger account.
type LoanAccountRequest struct {
	LoanID     ID
	CustomerID ID
	Currency   money.Currency
	Key        string // loan/<id>/account
}

// Side is the side of a leg.
type Side string

// The sides.
const (
	Debit  Side = "debit"
	Credit Side = "credit"
)

// The bank's own accounts credit's entries name by chart code (the
// ledger's well-known codes, and one of credit's own).
const (
	ChartVaultCash      = "vault_cash"      // cash paid in at a teller
	ChartInterestIncome = "interest_income" // interest earned on loans
	ChartFeesIncome     = "fees_income"     // origination, prepayment and late fees, penalties
	// ChartLoanAdvances holds repayments received ahead of what is due:
	// a credit-normal account the adapter creates on demand.
	ChartLoanAdvances = "loan_advances"
	// ChartInterestReceivable holds interest accrued on loans and not yet
	// paid (the ledger's well-known code).
	ChartInterestReceivable = "interest_receivable"
	// ChartFeesReceivable holds penalty interest and fees charged on
	// loans and not yet paid: a debit-normal account the adapter creates
	// on demand.
	ChartFeesReceivable = "fees_receivable"
	// ChartInterestSuspense holds the unpaid interest and charges of a
	// loan on non-accrual capitalised by its restructuring: owed by the
	// borrower and in the loan's principal, but not income until paid. A
	// credit-normal account (a contra-asset) the adapter creates on
	// demand.
	ChartInterestSuspense = "interest_suspense"
	// ChartLoanLosses is the expense a write-off charges: a debit-normal
	// account the adapter creates on demand.
	ChartLoanLosses = "loan_losses"
	// ChartLoanRecoveries is the income of money recovered on loans
	// written off: a credit-normal account the adapter creates on demand.
	ChartLoanRecoveries = "loan_recoveries"
)

// Leg is one side of an entry: an account by id, or one of the bank's by
// chart code (exactly one of them).
type Leg struct {
	Account ID          `json:"account,omitzero"`
	Chart   string      `json:"chart,omitempty"`
	Side    Side        `json:"side"`
	Amount  money.Money `json:"amount"`
}

// LedgerEntry is a balanced entry credit posts.
type LedgerEntry struct {
	Key         string            `json:"key"` // credit's idempotency key, e.g. loan/<id>/disbursement
	Description string            `json:"description"`
	Legs        []Leg             `json:"legs"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// EntryRef names a posted entry in the ledger.
type EntryRef string
