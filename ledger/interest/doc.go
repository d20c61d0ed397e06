// Package interest is the arithmetic of interest on deposit products: the
// pure, deterministic calculations the ledger's end-of-day run calls. It
// stores nothing, reads no clock and does no I/O; the caller passes the
// product, the account's interest state, the day and the balance, and
// persists the state it gets back.
//
// # The words of the domain
//
// A Product holds the terms: currency, day-count convention (how a day
// becomes a fraction of a year: ACT/365F, ACT/360, 30/360, ACT/ACT), the
// balance basis, a credit rate schedule and an optional debit rate schedule
// (rate changes with effective dates; each rate flat or tiered by balance),
// the compounding and posting periods, a minimum balance and a withholding
// tax rate.
//
// Accrual is earning interest day by day without paying it yet. Every
// calendar day, weekends and holidays included, Accrue adds the day's
// interest (balance × annual rate × the day's year fraction) to the
// account's Accrual state, unrounded; the ledger books it to an
// interest-payable account. The rate is the one in force on that day, so a
// rate change applies from its effective date and never rewrites the past.
// Positive balances earn credit interest; negative (overdrawn) balances
// cost debit interest; the two are accrued and posted separately, never
// netted.
//
// The basis is the balance interest is computed on: each day's closing
// balance (EndOfDayBalance), or the average of the period's closing
// balances (AverageDailyBalance), which Post works out at the period's end.
//
// Compounding is interest starting to earn interest. At the end of each
// compounding period, the credit interest accrued so far joins the
// interest-bearing balance while still unposted. Posting (capitalisation)
// is paying the accrued interest into the customer's account at the end of
// each posting period, as one journal entry: gross interest, withholding
// tax as its own line, and debit interest as its own line.
//
// Rounding to the currency's minor unit happens once, at posting. What
// rounding leaves over, less than one minor unit, is the carry: it is kept
// in the state and added to the next posting, so that the sum of everything
// posted plus the final carry equals the sum of the unrounded interest
// exactly, over any horizon. Nothing is lost or invented; a balance whose
// daily interest is a hundredth of a fen still gets paid, a fen at a time,
// once enough has accrued.
//
// A Cycle places the period ends in the calendar: calendar month,
// quarter and year ends by default, or a day of the month (the People's
// Bank of China settles demand deposits on the 20th of March, June,
// September and December, credited on the 21st: Product.PayNextDay).
//
// A TimeDeposit is a principal placed for a term of months at a fixed
// rate, paying simple interest at maturity, with an instruction for what
// happens then: pay out, roll over principal and interest, roll over the
// principal and pay out the interest, or hold. Closing one early pays the
// demand-deposit rate for the days held instead (the penalty rule), and the
// result says so for the statement. Its TermRules say how: the Chinese
// rules (ChineseTermRules) pay a full term by months whatever the days,
// the demand rate on a 360-day year early and after maturity, and allow
// one partial early withdrawal. Its Kind makes it one of the classic RMB
// products: lump sum (整存整取), instalments (零存整取), principal
// payouts (整存零取), interest payouts (存本取息), flexible (定活两便) and
// notice (通知存款), each with its interest rule.
//
// # The end-of-day runner
//
// The runner (in package ledger) walks each account from the day after its
// last accrual to the business date: for each calendar day it calls Accrue
// with that day's closing balance, then Post when the day ends a posting
// period (IsPeriodEnd). Running only on business days is therefore safe: a
// Monday run accrues Saturday and Sunday first, and a month end falling on
// a Sunday is still posted with the Sunday's date. Accrue refuses to
// accrue a day twice, to skip one, or to pass an unposted period end, so a
// restarted run cannot double-count.
package interest
