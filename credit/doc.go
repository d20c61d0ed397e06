// Package credit is lending. So far it holds the foundation the rest of
// lending builds on:
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
//     due dates on the business calendar.
//
// Contracts, disbursement and repayment through the
// ledger, the credit end of day, classification, provisioning and
// collections are to come (docs/credit.md says what exists). Money will
// move through ports that the reference server backs with the ledger;
// this package imports no other subsystem.
//
// Words: a period is the time between two due dates; an instalment is
// what falls due at the end of one; the level is what an annuity keeps
// equal (the instalment) or equal principal keeps equal (the principal
// per period); a broken first period is one longer or shorter than the
// regular ones.
package credit
