// Package endofday closes the ledger's business dates: it accrues and
// posts deposit interest, matures time deposits, expires holds, marks
// inactive accounts dormant and advances the business date. It works
// through a ledger.Service, so every posting keeps the ledger's rules,
// idempotency and events.
//
//	eod, err := endofday.NewService(svc, store, endofday.WithBusinessCalendar(weekdays))
//	...
//	summary, err := eod.Run(ctx, today)
//
// where store is a backend implementing Store (memledger and pgledger do),
// the same backend as svc's. A bank-wide end of day that runs other
// subsystems' steps before the date moves calls RunSteps, then its own
// steps, then Advance.
//
// # Interest
//
// Products are interest.Product values registered under a code
// (SetInterestProduct) and assigned to demand accounts
// (AssignInterestProduct). A product's settlement cycle places its
// posting periods (the People's Bank of China's settlement on the 20th of
// the quarter's last month, credited on the 21st, or the calendar's
// ends). Each account's interest.Accrual state is kept
// by the Store. A run walks every assigned account through each calendar
// day from the day after its last accrual up to the day before the next
// business day, so a Friday run accrues the weekend too, each day on that
// day's closing balance. When a day ends the product's posting period, the
// period is posted to the customer as one entry: gross credit interest out
// of interest payable, net to the customer and withholding tax to tax
// payable (CodeTaxPayable) as their own lines, and debit interest from the
// customer to interest receivable as its own lines, never netted. That
// entry is value-dated on the period end even when it falls after the
// business date (a month ending on a Sunday), so it counts from the right
// day and a resumed run reads the same balances.
//
// The day's accruals are booked to the general ledger once per currency
// (interest expense to interest payable, interest receivable to interest
// income), rounded half-even with the remainder carried to the next run,
// so interest payable always holds what customers have earned and not yet
// been paid, within half a minor unit.
//
// # Restarting
//
// Every posting is keyed by what it is for: "eod/interest/<account>/<period
// end>", "eod/<date>/accrual/<currency>/credit", "eod/timedeposit/<id>/
// maturity/<date>". The run record keeps the step reached and the last
// account done; a page of accrual states is saved together with that
// cursor after the page's postings. A run that stops between the two
// recomputes the same postings from the old states and the store replays
// them, so running a date twice or resuming after a crash accrues and
// posts exactly once. Advancing the business date is a compare-and-set
// and the last step.
//
// # Time deposits and dormancy
//
// OpenTimeDeposit funds a deposit by a transfer from a demand account at
// the product's rate of the day, under the product's term rules
// (interest.TermRules: the conventions of Chinese banks among them); a
// run makes the scheduled payouts due and matures every open deposit whose
// maturity date has come (the next business day's run, for a maturity on a
// holiday) under its instruction; CloseTimeDepositEarly applies the
// penalty rule, WithdrawTimeDepositPart takes part of the principal out
// early. The classic RMB products are kinds of deposit: PayInstalment pays
// an instalment deposit's month, GiveNotice and WithdrawNotice serve a
// notice deposit, and a flexible deposit closes at the rate of the band
// it reached. Dormancy (WithDormancyAfter) reads customer-initiated
// entries (deposits, withdrawals, transfers, captures) from each demand
// account's statement over the period; interest and other journal entries
// do not count as activity.
//
// The package endofday/endofdaytest holds the contract suite a backend
// passes.
package endofday
