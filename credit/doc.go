// Package credit is lending, from product to repayment:
//
//   - loan products (Product): limits, repayment and interest methods, day
//     count, frequency, grace, fees, penalty rate, prepayment and the
//     order a repayment is allocated in;
//   - the schedule engine (NewSchedule): a pure function from Terms to a
//     Schedule, with APR and effective annual rate (Schedule.Rates), and
//     re-computation after a partial prepayment (Prepay) or a rate change
//     (Reprice);
//   - applications (Service.Submit) with eligibility checked through ports
//     the consumer of this package supplies (Customers), refusals naming
//     the rule;
//   - scoring (Service.Score) by a points scorecard read from a file
//     (Scorecard), with a bureau (Bureau) and behavioural features
//     (Behaviour) as ports, and risk-based pricing by grade (Pricing);
//   - approval chains by product and amount band (ApprovalPolicy,
//     Service.Decide), with maker-checker, authority limits by role and
//     due dates on the business calendar;
//   - contracts (Contract): versions issued on approval, rendered as HTML
//     and PDF and named by their SHA-256, superseded by re-issue, accepted
//     by the customer (Service.AcceptContract), which makes the Loan;
//   - disbursement (Service.Disburse), repayments allocated by the
//     product's order (Service.Repay) and early repayment
//     (Service.Prepay), every movement of money through the Ledger port
//     under a key of the loan, recorded on the loan before it posts.
//
// The credit end of day, delinquency, classification, provisioning and
// collections are to come (docs/credit.md says what exists). This
// package imports no other subsystem: the reference server backs its
// ports (refserver/creditport adapts the ledger).
//
// Words: a period is the time between two due dates; an instalment is
// what falls due at the end of one; the level is what an annuity keeps
// equal (the instalment) or equal principal keeps equal (the principal
// per period); a broken first period is one longer or shorter than the
// regular ones.
package credit
