package ledger

import "slices"

// ChartAccount describes one internal account of the chart that
// Service.SetupChart creates in every currency the bank uses.
type ChartAccount struct {
	Code       string
	Name       string
	NormalSide Side
}

// Well-known chart codes. Other subsystems post to these by code (for
// example credit debits interest receivable and credits interest income).
const (
	CodeVaultCash          = "vault_cash"          // cash held in branches and ATMs
	CodeSettlement         = "settlement"          // nostro / central-bank settlement
	CodeClearingSuspense   = "clearing_suspense"   // inter-bank payments in flight
	CodeSuspense           = "suspense"            // unidentified items awaiting research
	CodeInterestExpense    = "interest_expense"    // interest the bank pays on deposits
	CodeInterestPayable    = "interest_payable"    // interest accrued, not yet paid
	CodeInterestIncome     = "interest_income"     // interest the bank earns on loans
	CodeInterestReceivable = "interest_receivable" // interest accrued on loans, not yet paid
	CodeFeesIncome         = "fees_income"         // fees charged to customers
	CodeEquity             = "equity"              // the bank's capital
)

// DefaultChart returns the chart of internal accounts that SetupChart
// creates, in a fixed order. Each call returns a fresh slice.
func DefaultChart() []ChartAccount {
	return slices.Clone(defaultChart)
}

var defaultChart = []ChartAccount{
	{CodeVaultCash, "Vault cash", Debit},
	{CodeSettlement, "Settlement account", Debit},
	{CodeClearingSuspense, "Clearing suspense", Debit},
	{CodeSuspense, "Suspense", Credit},
	{CodeInterestExpense, "Interest expense", Debit},
	{CodeInterestPayable, "Interest payable", Credit},
	{CodeInterestIncome, "Interest income", Credit},
	{CodeInterestReceivable, "Interest receivable", Debit},
	{CodeFeesIncome, "Fees income", Credit},
	{CodeEquity, "Equity", Credit},
}
