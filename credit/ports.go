package credit

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
)

// The ports: what credit needs from other subsystems, declared here so
// credit imports none of them. The reference server adapts the customer
// subsystem, the ledger and a bureau client to them; tests use fakes.

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
