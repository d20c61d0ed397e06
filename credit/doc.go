// Package credit is lending: loan applications, credit scoring, multi-step
// approval, contracts, disbursement, repayment schedules, reminders and
// overdue collection, and credit cards (issue, limits, repayment).
//
// Money moves through ports that the reference server backs with the ledger.
package credit
