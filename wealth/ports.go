package wealth

import (
	"context"

	"github.com/bankkit/bankkit/money"
)

// The ports: what wealth needs from other subsystems, declared here so
// wealth imports none of them. The reference server adapts the customer
// subsystem and the ledger (refserver/wealthport); tests use fakes
// (wealthtest).

// Customers answers who may buy.
type Customers interface {
	// KYCVerified reports whether the customer's identity is checked and
	// current; an error wrapping ErrNotFound when there is no such
	// customer.
	KYCVerified(ctx context.Context, customerID ID) (bool, error)
}

// Ledger is what wealth needs of the bank's ledger: holds on customers'
// demand accounts, their capture, and balanced entries, all under
// wealth's idempotency keys; the balances of wealth's own accounts for
// reconciliation. Money moves only through it.
//
// Errors: a request the ledger refuses for good (insufficient funds, a
// closed or foreign account, a hold no longer active) wraps ErrRefused and
// changed nothing; any other failure leaves it unknown whether it took
// effect, and repeating it under the same key is safe.
type Ledger interface {
	// CheckDemandAccount returns nil when account is an active demand
	// account of the customer in the currency; ErrRefused otherwise.
	CheckDemandAccount(ctx context.Context, account, customerID ID, c money.Currency) error
	// PlaceHold holds amount on the account; the same key returns the
	// first hold.
	PlaceHold(ctx context.Context, r HoldRequest) (ID, error)
	// CaptureHold moves Amount of the hold to the chart account ToChart
	// and releases the rest; the same key posts once.
	CaptureHold(ctx context.Context, r CaptureRequest) error
	// CaptureHolds captures many holds at once, each on its own as
	// CaptureHold would (under its own key; Account names the hold's
	// account): result i is nil or why capture i was refused (wrapping
	// ErrRefused). The error is for the batch as a whole; then which
	// captures took effect is unknown, and repeating them is safe.
	CaptureHolds(ctx context.Context, rs []CaptureRequest) ([]error, error)
	// ReleaseHold releases the hold; releasing a released hold is no
	// error.
	ReleaseHold(ctx context.Context, hold ID) error
	// Post posts a balanced entry; the same key posts once.
	Post(ctx context.Context, e LedgerEntry) error
	// PostBatch posts many balanced entries at once, each on its own as
	// Post would: result i is nil or why entry i was refused (wrapping
	// ErrRefused); the error is for the batch as a whole, as in
	// CaptureHolds. Its keys are apart from Post's: an entry is always
	// posted through the same one of the two.
	PostBatch(ctx context.Context, es []LedgerEntry) ([]error, error)
	// ChartBalance is the balance of the chart account, in its
	// normal-side terms; zero when the account does not exist yet.
	ChartBalance(ctx context.Context, c money.Currency, chart string) (money.Money, error)
}

// HoldRequest holds a subscription's amount.
type HoldRequest struct {
	Account     ID
	Amount      money.Money
	Key         string
	Description string
}

// CaptureRequest captures part of a hold into a chart account.
type CaptureRequest struct {
	Hold ID
	// Account is the hold's account; CaptureHolds needs it (the ledger
	// checks it), CaptureHold does not.
	Account     ID
	Amount      money.Money
	ToChart     string
	Key         string
	Description string
}

// Side is the side of a leg.
type Side string

// The sides.
const (
	Debit  Side = "debit"
	Credit Side = "credit"
)

// Leg is one side of an entry: a customer's account by id, or one of the
// bank's chart accounts by code (exactly one of them).
type Leg struct {
	Account ID          `json:"account,omitzero"`
	Chart   string      `json:"chart,omitempty"`
	Side    Side        `json:"side"`
	Amount  money.Money `json:"amount"`
}

// LedgerEntry is a balanced entry wealth posts.
type LedgerEntry struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	Legs        []Leg  `json:"legs"`
}

// ChartFeesIncome is the ledger's chart account of fees charged to
// customers: subscription and redemption fees are credited to it.
const ChartFeesIncome = "fees_income"

// The chart accounts of one product, by code (see ProductCharts):
//
//   - custody (credit-normal): the investors' money with the product, at
//     cost. Subscriptions are captured into it, reinvested income is
//     credited to it, redemptions take out the cost of the units sold. It
//     equals the product's holdings' cost.
//   - settlement (credit-normal): money owed to investors and not yet paid,
//     redemption proceeds until their settlement date and income accrued
//     for monthly payment. It equals the confirmed, unpaid redemptions'
//     proceeds plus the holdings' accrued income.
//   - result (debit-normal): the product's investment result paid out,
//     income and the gain of redemptions over cost (a loss is a credit); the
//     issuer's side of the product, which the bank settles with the issuer
//     outside wealth.
const (
	chartCustody    = "wealth_custody/"
	chartSettlement = "wealth_settlement/"
	chartResult     = "wealth_result/"
)

// ProductCharts are the chart codes of a product's accounts.
type ProductCharts struct {
	Custody, Settlement, Result string
}

// ChartsOf returns the chart codes of the product with code.
func ChartsOf(code string) ProductCharts {
	return ProductCharts{Custody: chartCustody + code, Settlement: chartSettlement + code, Result: chartResult + code}
}

// ChartNormalSide tells the ledger adapter the normal side of a wealth
// chart code, and whether the code is one of wealth's.
func ChartNormalSide(code string) (Side, bool) {
	switch {
	case len(code) > len(chartCustody) && code[:len(chartCustody)] == chartCustody,
		len(code) > len(chartSettlement) && code[:len(chartSettlement)] == chartSettlement:
		return Credit, true
	case len(code) > len(chartResult) && code[:len(chartResult)] == chartResult:
		return Debit, true
	}
	return "", false
}
