package endofday

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
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
//
// The next page is read while the current one is worked on.
func (e *Service) accrueAll(ctx context.Context, run Run) (Run, error) {
	products := map[string]interest.Product{}
	done := 0
	next := e.fetchPage(ctx, run.Cursor)
	for next != nil {
		fetched := <-next
		page, err := fetched.page, fetched.err
		if err != nil {
			return run, err
		}
		if len(page) == 0 {
			break
		}
		next = nil
		if len(page) == e.pageSize {
			next = e.fetchPage(ctx, page[len(page)-1].AccountID)
		}
		items := make([]accrualItem, len(page))
		for i, ia := range page {
			p, ok := products[ia.ProductCode]
			if !ok {
				if p, err = e.store.InterestProduct(ctx, ia.ProductCode); err != nil {
					return run, fmt.Errorf("product %s of account %s: %w", ia.ProductCode, ia.AccountID, err)
				}
				products[ia.ProductCode] = p
			}
			items[i] = newAccrualItem(p, ia)
		}
		if err := e.accruePage(ctx, &run, items); err != nil {
			return run, err
		}
		updates := make([]AccrualUpdate, 0, len(items))
		for _, it := range items {
			if it.days > 0 {
				run.Summary.AccountsAccrued++
				run.Summary.DaysAccrued += it.days
			}
			if it.state != it.ia.Accrual {
				updates = append(updates, AccrualUpdate{AccountID: it.ia.AccountID, Before: it.ia.Accrual.LastAccrued, Accrual: it.state})
			}
		}
		run.Cursor = page[len(page)-1].AccountID
		run.Version++
		if err := e.store.SaveAccrualPage(ctx, run, updates); err != nil {
			return run, err
		}
		done += len(page)
		e.report(run, done, "accounts accrued")
	}
	return e.finishStep(ctx, run, StepBooking)
}

type fetchedPage struct {
	page []InterestAccount
	err  error
}

// fetchPage reads the page after after in the background.
func (e *Service) fetchPage(ctx context.Context, after ledger.ID) <-chan fetchedPage {
	ch := make(chan fetchedPage, 1) // buffered: an abandoned read does not block
	go func() {
		page, err := e.store.InterestAccounts(ctx, after, e.pageSize)
		ch <- fetchedPage{page, err}
	}()
	return ch
}

// accrualItem is one account of a page on its way through the days.
type accrualItem struct {
	ia      InterestAccount
	p       interest.Product
	state   interest.Accrual
	next    calendar.Date // the next day to accrue
	days    int           // days accrued by this run
	stopped bool          // refused: no more days this run
}

func newAccrualItem(p interest.Product, ia InterestAccount) accrualItem {
	next := ia.From
	if !ia.Accrual.LastAccrued.IsZero() {
		next = ia.Accrual.LastAccrued.AddDays(1)
	}
	return accrualItem{ia: ia, p: p, state: ia.Accrual, next: next}
}

// accruePage moves a page of accounts through the days together: for each
// day, it posts the periods that ended the day before (so that the day's
// balance includes the capitalised interest), reads the page's closing
// balances in one call and accrues each account that is due that day.
// Postings go to the store in one batch per day. An account whose posting
// or accrual is refused is recorded as a failure and stops where it is;
// the next run picks it up there.
func (e *Service) accruePage(ctx context.Context, run *Run, items []accrualItem) error {
	first := run.Through.AddDays(1)
	for _, it := range items {
		if it.next.Before(first) {
			first = it.next
		}
	}
	ids := make([]ledger.ID, 0, len(items))
	index := make([]int, 0, len(items))
	for day := first; !day.After(run.Through); day = day.AddDays(1) {
		if err := e.postDue(ctx, run, items); err != nil {
			return err
		}
		ids, index = ids[:0], index[:0]
		for i, it := range items {
			if !it.stopped && it.next == day {
				ids = append(ids, it.ia.AccountID)
				index = append(index, i)
			}
		}
		if len(ids) == 0 {
			continue
		}
		balances, err := e.store.ClosingBalances(ctx, day, ids)
		if err != nil {
			return err
		}
		for j, i := range index {
			it := &items[i]
			next, res, err := interest.Accrue(it.p, it.state, day, balances[j])
			if err != nil {
				e.fail(run, it.ia.AccountID, err)
				it.stopped = true
				continue
			}
			it.state, it.next = next, day.AddDays(1)
			it.days++
			book := bookFor(run, it.ia.Currency)
			book.Credit = book.Credit.Add(res.Credit)
			book.Debit = book.Debit.Add(res.Debit)
		}
	}
	return e.postDue(ctx, run, items)
}

// due reports whether the state's last accrued day ends a posting period
// that has not been posted.
func due(p interest.Product, s interest.Accrual) bool {
	return !s.PeriodStart.IsZero() && p.IsPostingEnd(s.LastAccrued, calendar.Date{})
}

// postDue posts, in one batch, the period of every item whose last
// accrued day ends an unposted posting period. (The Service hands the
// store MaxBatch entries at a time, one batch after another: posting
// several at once gained nothing on the two-core machine of the
// measurements in eodbench.)
func (e *Service) postDue(ctx context.Context, run *Run, items []accrualItem) error {
	var reqs []ledger.JournalRequest
	var pending []pendingPosting
	for i := range items {
		it := &items[i]
		if it.stopped || !due(it.p, it.state) {
			continue
		}
		pp, req, ok, err := e.interestEntry(ctx, it)
		if err != nil {
			if ctx.Err() != nil || !refusal(err) {
				return err
			}
			e.fail(run, it.ia.AccountID, err)
			it.stopped = true
			continue
		}
		pp.item = i
		if !ok { // nothing to pay or charge: the period closes without an entry
			e.settle(run, it, pp)
			continue
		}
		reqs = append(reqs, req)
		pending = append(pending, pp)
	}
	if len(reqs) == 0 {
		return nil
	}
	results, err := e.postJournal(ctx, reqs)
	if err != nil {
		return err
	}
	for j, res := range results {
		it := &items[pending[j].item]
		if res.Err != nil {
			if !refusal(res.Err) {
				return res.Err
			}
			e.fail(run, it.ia.AccountID, res.Err)
			it.stopped = true
			continue
		}
		run.Summary.Postings++
		e.settle(run, it, pending[j])
	}
	return nil
}

// pendingPosting is a period's posting waiting for its entry to post.
type pendingPosting struct {
	item    int
	next    interest.Accrual
	posting interest.Posting
}

// settle moves the item on to the next period once its posting is booked.
func (e *Service) settle(run *Run, it *accrualItem, pp pendingPosting) {
	it.state = pp.next
	addTo(&run.Summary.InterestPosted, pp.posting.Gross)
	addTo(&run.Summary.TaxWithheld, pp.posting.Tax)
	addTo(&run.Summary.DebitInterest, pp.posting.Debit)
	book := bookFor(run, it.p.Currency)
	book.Credit = book.Credit.Add(pp.posting.Adjustment)
}

// interestEntry builds the entry posting the period ending on the item's
// last accrued day: gross credit interest out of interest payable, net to
// the customer and tax to tax payable as separate lines, and debit
// interest from the customer to interest receivable as its own lines. The
// entry is value-dated on the day the product credits it (the period end,
// or the day after: Product.PayNextDay) and keyed by account and period
// end. ok is false when the period pays and charges nothing.
func (e *Service) interestEntry(ctx context.Context, it *accrualItem) (pendingPosting, ledger.JournalRequest, bool, error) {
	s, p, accountID := it.state, it.p, it.ia.AccountID
	day := s.LastAccrued
	next, posting, err := interest.Post(p, s, day)
	if err != nil {
		return pendingPosting{}, ledger.JournalRequest{}, false, err
	}
	pp := pendingPosting{next: next, posting: posting}
	c := p.Currency
	var lines []ledger.Posting
	if posting.Gross.IsPositive() {
		payable, err := e.chartID(ctx, c, ledger.CodeInterestPayable)
		if err != nil {
			return pp, ledger.JournalRequest{}, false, err
		}
		lines = append(lines,
			ledger.Posting{AccountID: payable, Side: ledger.Debit, Amount: posting.Gross},
			ledger.Posting{AccountID: accountID, Side: ledger.Credit, Amount: posting.Net})
		if posting.Tax.IsPositive() {
			tax, err := e.chartID(ctx, c, CodeTaxPayable)
			if err != nil {
				return pp, ledger.JournalRequest{}, false, err
			}
			lines = append(lines, ledger.Posting{AccountID: tax, Side: ledger.Credit, Amount: posting.Tax})
		}
	}
	if posting.Debit.IsPositive() {
		receivable, err := e.chartID(ctx, c, ledger.CodeInterestReceivable)
		if err != nil {
			return pp, ledger.JournalRequest{}, false, err
		}
		lines = append(lines,
			ledger.Posting{AccountID: accountID, Side: ledger.Debit, Amount: posting.Debit},
			ledger.Posting{AccountID: receivable, Side: ledger.Credit, Amount: posting.Debit})
	}
	meta := map[string]string{
		"eod":        "interest",
		"period_end": day.String(),
		"gross":      posting.Gross.ValueString(),
		"tax":        posting.Tax.ValueString(),
		"debit":      posting.Debit.ValueString(),
	}
	req, ok := journal(fmt.Sprintf("interest/%s/%s", accountID, day), posting.Paid,
		fmt.Sprintf("Interest %s to %s", s.PeriodStart, day), meta, lines)
	return pp, req, ok, nil
}

// refusal reports whether err is the ledger or the interest rules refusing
// one account (a frozen or closed account, a corrupted state), which fails
// that account but not the run.
func refusal(err error) bool {
	for _, target := range []error{ledger.ErrInvalidInput, ledger.ErrAccountFrozen, ledger.ErrAccountClosed, ledger.ErrAccountDormant,
		ledger.ErrInsufficientFunds, ledger.ErrCurrencyMismatch, ledger.ErrNotFound, ledger.ErrIdempotencyConflict, ledger.ErrBalanceLimit,
		interest.ErrInvalidAccrual, interest.ErrInvalidProduct, interest.ErrInvalidInput,
		interest.ErrNoRate, interest.ErrOutOfOrder, interest.ErrPostingDue} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// bookFor returns the run's accrual book of currency c, adding it in
// currency order if missing.
func bookFor(run *Run, c money.Currency) *AccrualBook {
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
// interest income, each rounded half-even once with the carry from the
// last run, its own remainder carried on. One entry per currency and side,
// keyed by the run's date.
//
// Booking the aggregate daily, rather than one entry per account per day,
// keeps the general ledger's interest payable true every night at the
// cost of two entries per currency, where per-account entries would cost a
// million a night and say nothing the accrual records do not.
func (e *Service) bookAccruals(ctx context.Context, run Run) (Run, error) {
	for i := range run.Books {
		b := &run.Books[i]
		places := b.Currency.MinorUnits()
		credit := b.Credit.Add(b.CreditCarry)
		creditBooked := money.HalfEven.Round(credit, places)
		debit := b.Debit.Add(b.DebitCarry)
		debitBooked := money.HalfEven.Round(debit, places)
		if err := e.bookOne(ctx, run.Date, b.Currency, "credit", creditBooked, ledger.CodeInterestExpense, ledger.CodeInterestPayable); err != nil {
			return run, err
		}
		if err := e.bookOne(ctx, run.Date, b.Currency, "debit", debitBooked, ledger.CodeInterestReceivable, ledger.CodeInterestIncome); err != nil {
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
func (e *Service) bookOne(ctx context.Context, date calendar.Date, c money.Currency, side string, amount decimal.Decimal, debitCode, creditCode string) error {
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
		[]ledger.Posting{{AccountID: from, Side: ledger.Debit, Amount: m}, {AccountID: to, Side: ledger.Credit, Amount: m}})
	return err
}
