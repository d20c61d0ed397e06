package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// accrueAll walks every interest-bearing account, a keyset page at a
// time, through every calendar day from the day after its last accrual to
// run.Through, posting at each posting period end. After each page it saves
// the page's states together with the run's cursor and books, so a resumed
// run starts at the first page not saved; accounts of that page already
// posted replay their postings by key.
func (e *EndOfDay) accrueAll(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
	products := map[string]interest.Product{}
	done := 0
	for {
		page, err := e.store.InterestAccounts(ctx, run.Cursor, e.pageSize)
		if err != nil {
			return run, err
		}
		if len(page) == 0 {
			break
		}
		updates := make([]AccrualUpdate, 0, len(page))
		for _, ia := range page {
			p, ok := products[ia.Product]
			if !ok {
				if p, err = e.store.InterestProduct(ctx, ia.Product); err != nil {
					return run, fmt.Errorf("product %s of account %s: %w", ia.Product, ia.AccountID, err)
				}
				products[ia.Product] = p
			}
			next, days, err := e.accrueAccount(ctx, &run, p, ia)
			if err != nil {
				if ctx.Err() != nil || !refusal(err) {
					return run, err
				}
				e.fail(&run, ia.AccountID, err)
			}
			if days > 0 {
				run.Summary.AccountsAccrued++
				run.Summary.DaysAccrued += days
			}
			if next != ia.Accrual {
				updates = append(updates, AccrualUpdate{AccountID: ia.AccountID, Before: ia.Accrual.LastAccrued, Accrual: next})
			}
		}
		run.Cursor = page[len(page)-1].AccountID
		if err := e.store.SaveAccrualPage(ctx, run, updates); err != nil {
			return run, err
		}
		done += len(page)
		e.report(run, done, "accounts accrued")
		if len(page) < e.pageSize {
			break
		}
	}
	return e.finishStep(ctx, run, StepBooking)
}

// refusal reports whether err is the ledger refusing one account's
// posting (a frozen or closed account, say), which fails that account but
// not the run.
func refusal(err error) bool {
	for _, target := range []error{ErrInvalidInput, ErrAccountFrozen, ErrAccountClosed, ErrAccountDormant,
		ErrInsufficientFunds, ErrCurrencyMismatch, ErrNotFound, ErrIdempotencyConflict,
		interest.ErrInvalidAccrual, interest.ErrInvalidProduct, interest.ErrNoRate, interest.ErrOutOfOrder} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// accrueAccount brings one account's accrual up to run.Through and returns
// its new state and how many days it accrued. On a refused posting it
// returns the state accrued up to the unposted period end, which the next
// run posts first.
func (e *EndOfDay) accrueAccount(ctx context.Context, run *EndOfDayRun, p interest.Product, ia InterestAccount) (interest.Accrual, int, error) {
	state := ia.Accrual
	first := ia.From
	if !state.LastAccrued.IsZero() {
		first = state.LastAccrued.AddDays(1)
	}
	book := bookFor(run, ia.Currency)
	if due(p, state) {
		next, err := e.postInterest(ctx, run, p, ia.AccountID, state)
		if err != nil {
			return state, 0, err
		}
		state = next
	}
	days := 0
	balances := newBalanceReader(e.svc, ia.AccountID)
	for day := first; !day.After(run.Through); day = day.AddDays(1) {
		balance, err := balances.at(ctx, day)
		if err != nil {
			return state, days, err
		}
		next, res, err := interest.Accrue(p, state, day, balance)
		if err != nil {
			return state, days, err
		}
		state = next
		days++
		book.Credit = book.Credit.Add(res.Credit)
		book.Debit = book.Debit.Add(res.Debit)
		if due(p, state) {
			if state, err = e.postInterest(ctx, run, p, ia.AccountID, state); err != nil {
				return state, days, err
			}
		}
	}
	return state, days, nil
}

// due reports whether the state's last accrued day ends a posting period
// that has not been posted.
func due(p interest.Product, s interest.Accrual) bool {
	return !s.PeriodStart.IsZero() && interest.IsPeriodEnd(p.Posting, s.LastAccrued, calendar.Date{})
}

// postInterest posts the period ending on s.LastAccrued as one entry:
// gross credit interest out of interest payable, net to the customer and
// tax to tax payable as separate lines, and debit interest from the
// customer to interest receivable as its own lines. The entry is
// value-dated on the period end and keyed by account and period end.
func (e *EndOfDay) postInterest(ctx context.Context, run *EndOfDayRun, p interest.Product, accountID ID, s interest.Accrual) (interest.Accrual, error) {
	day := s.LastAccrued
	next, posting, err := interest.Post(p, s, day)
	if err != nil {
		return s, err
	}
	c := p.Currency
	var lines []Posting
	if posting.Gross.IsPositive() {
		payable, err := e.chartID(ctx, c, CodeInterestPayable)
		if err != nil {
			return s, err
		}
		lines = append(lines,
			Posting{AccountID: payable, Side: Debit, Amount: posting.Gross},
			Posting{AccountID: accountID, Side: Credit, Amount: posting.Net})
		if posting.Tax.IsPositive() {
			tax, err := e.chartID(ctx, c, CodeTaxPayable)
			if err != nil {
				return s, err
			}
			lines = append(lines, Posting{AccountID: tax, Side: Credit, Amount: posting.Tax})
		}
	}
	if posting.Debit.IsPositive() {
		receivable, err := e.chartID(ctx, c, CodeInterestReceivable)
		if err != nil {
			return s, err
		}
		lines = append(lines,
			Posting{AccountID: accountID, Side: Debit, Amount: posting.Debit},
			Posting{AccountID: receivable, Side: Credit, Amount: posting.Debit})
	}
	meta := map[string]string{
		"eod":        "interest",
		"period_end": day.String(),
		"gross":      posting.Gross.ValueString(),
		"tax":        posting.Tax.ValueString(),
		"debit":      posting.Debit.ValueString(),
	}
	desc := fmt.Sprintf("Interest %s to %s", s.PeriodStart, day)
	key := fmt.Sprintf("interest/%s/%s", accountID, day)
	if _, posted, err := e.post(ctx, key, day, desc, meta, lines); err != nil {
		return s, err
	} else if posted {
		run.Summary.Postings++
	}
	addTo(&run.Summary.InterestPosted, posting.Gross)
	addTo(&run.Summary.TaxWithheld, posting.Tax)
	addTo(&run.Summary.DebitInterest, posting.Debit)
	book := bookFor(run, c)
	book.Credit = book.Credit.Add(posting.Adjustment)
	return next, nil
}

// bookFor returns the run's accrual book of currency c, adding it in
// currency order if missing.
func bookFor(run *EndOfDayRun, c money.Currency) *AccrualBook {
	i, found := slices.BinarySearchFunc(run.Books, c, func(b AccrualBook, c money.Currency) int {
		switch {
		case b.Currency < c:
			return -1
		case b.Currency > c:
			return 1
		}
		return 0
	})
	if !found {
		run.Books = slices.Insert(run.Books, i, AccrualBook{Currency: c,
			Credit: decimal.Zero, Debit: decimal.Zero, CreditCarry: decimal.Zero, DebitCarry: decimal.Zero})
	}
	return &run.Books[i]
}

// bookAccruals books each currency's accrual of the run: the day's credit
// interest (with average-basis true-ups) from interest expense to interest
// payable, and the day's debit interest from interest receivable to
// interest income, each rounded once with the carry from the last run
// and its own remainder carried on. One entry per currency and side, keyed
// by the run's date.
func (e *EndOfDay) bookAccruals(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
	for i := range run.Books {
		b := &run.Books[i]
		places := b.Currency.MinorUnits()
		credit := b.Credit.Add(b.CreditCarry)
		creditBooked := money.HalfEven.Round(credit, places)
		debit := b.Debit.Add(b.DebitCarry)
		debitBooked := money.HalfEven.Round(debit, places)
		if err := e.bookOne(ctx, run.Date, b.Currency, "credit", creditBooked, CodeInterestExpense, CodeInterestPayable); err != nil {
			return run, err
		}
		if err := e.bookOne(ctx, run.Date, b.Currency, "debit", debitBooked, CodeInterestReceivable, CodeInterestIncome); err != nil {
			return run, err
		}
		b.Credit, b.CreditCarry = decimal.Zero, credit.Sub(creditBooked)
		b.Debit, b.DebitCarry = decimal.Zero, debit.Sub(debitBooked)
	}
	e.report(run, len(run.Books), "accruals booked")
	return e.finishStep(ctx, run, StepMaturity)
}

// bookOne posts amount from the debit code to the credit code, the other
// way round when amount is negative.
func (e *EndOfDay) bookOne(ctx context.Context, date calendar.Date, c money.Currency, side string, amount decimal.Decimal, debitCode, creditCode string) error {
	if amount.IsZero() {
		return nil
	}
	if amount.IsNegative() {
		debitCode, creditCode, amount = creditCode, debitCode, amount.Neg()
	}
	from, err := e.chartID(ctx, c, debitCode)
	if err != nil {
		return err
	}
	to, err := e.chartID(ctx, c, creditCode)
	if err != nil {
		return err
	}
	m := money.Money{Amount: amount, Currency: c}
	_, _, err = e.post(ctx, fmt.Sprintf("%s/accrual/%s/%s", date, c, side), date,
		fmt.Sprintf("Accrued %s interest %s", side, date), map[string]string{"eod": "accrual"},
		[]Posting{{AccountID: from, Side: Debit, Amount: m}, {AccountID: to, Side: Credit, Amount: m}})
	return err
}

// balanceReader reads an account's closing balance day by day.
type balanceReader struct {
	svc *Service
	id  ID
}

func newBalanceReader(svc *Service, id ID) balanceReader { return balanceReader{svc: svc, id: id} }

func (r balanceReader) at(ctx context.Context, day calendar.Date) (decimal.Decimal, error) {
	m, err := r.svc.store.BalanceAsOf(ctx, r.id, day)
	return m.Amount, err
}
