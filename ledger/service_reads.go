package ledger

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Default and largest page sizes of ListAccounts.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Account returns an account with its ledger balance and held amount;
// Account.Available gives the available balance.
func (s *Service) Account(ctx context.Context, id ID) (Account, error) {
	if id == NilID {
		return Account{}, invalid("account_id", "is required")
	}
	return s.store.Account(ctx, id)
}

// AccountByNumber returns the account with that number, after checking
// the number's format and check digit.
func (s *Service) AccountByNumber(ctx context.Context, number string) (Account, error) {
	if err := ValidateAccountNumber(number); err != nil {
		return Account{}, err
	}
	return s.store.AccountByNumber(ctx, number)
}

// ListAccounts returns one page of the accounts matching f, in ID order.
// f.Limit defaults to DefaultPageSize and may not exceed MaxPageSize. next
// is the After of the following page, or the zero ID after the last page.
func (s *Service) ListAccounts(ctx context.Context, f AccountFilter) (accounts []Account, next ID, err error) {
	switch {
	case f.Limit < 0 || f.Limit > MaxPageSize:
		return nil, NilID, invalid("limit", fmt.Sprintf("must be 1 to %d", MaxPageSize))
	case f.Status != "" && !f.Status.Valid():
		return nil, NilID, invalid("status", fmt.Sprintf("unknown status %q", f.Status))
	case f.Product != "" && !f.Product.Valid():
		return nil, NilID, invalid("product", fmt.Sprintf("unknown product %q", f.Product))
	case f.Currency != "" && !f.Currency.Valid():
		return nil, NilID, invalid("currency", fmt.Sprintf("unknown currency %q", f.Currency))
	}
	if err := f.validate(); err != nil {
		return nil, NilID, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	limit := f.Limit
	f.Limit++ // one more tells whether another page follows
	accounts, err = s.store.ListAccounts(ctx, f)
	if err != nil {
		return nil, NilID, err
	}
	if len(accounts) > limit {
		accounts = accounts[:limit]
		next = accounts[limit-1].ID
	}
	return accounts, next, nil
}

// Entry returns a journal entry, with ReversedBy set if it was reversed.
func (s *Service) Entry(ctx context.Context, id ID) (Entry, error) {
	if id == NilID {
		return Entry{}, invalid("entry_id", "is required")
	}
	return s.store.Entry(ctx, id)
}

// BalanceAsOf returns the account's balance at the end of a past (or the
// current) business date: every entry with a value date on or before it.
func (s *Service) BalanceAsOf(ctx context.Context, accountID ID, date calendar.Date) (money.Money, error) {
	if accountID == NilID {
		return money.Money{}, invalid("account_id", "is required")
	}
	if !date.Valid() {
		return money.Money{}, invalid("date", "is not a valid date")
	}
	return s.store.BalanceAsOf(ctx, accountID, date)
}

// Statement lists the account's entries with value dates from from to to
// (inclusive), oldest first, each with the running balance after it. The
// opening balance and the lines are read at one moment.
func (s *Service) Statement(ctx context.Context, accountID ID, from, to calendar.Date) (Statement, error) {
	switch {
	case accountID == NilID:
		return Statement{}, invalid("account_id", "is required")
	case !from.Valid():
		return Statement{}, invalid("from", "is not a valid date")
	case !to.Valid():
		return Statement{}, invalid("to", "is not a valid date")
	case to.Before(from):
		return Statement{}, invalid("to", "is before from")
	}
	opening, lines, err := s.store.StatementLines(ctx, accountID, from, to)
	if err != nil {
		return Statement{}, err
	}
	running := opening
	for i := range lines {
		running.Amount = running.Amount.Add(lines[i].Amount.Amount)
		lines[i].BalanceAfter = running
	}
	return Statement{AccountID: accountID, From: from, To: to, Opening: opening, Closing: running, Lines: lines}, nil
}

// History returns one page of an account's statement, newest first, each
// line with the balance after it (see HistoryQuery and Store.History). To
// read on, ask again with Before set to the last line's EntryID.
func (s *Service) History(ctx context.Context, q HistoryQuery) ([]StatementLine, error) {
	switch {
	case q.AccountID == NilID:
		return nil, invalid("account_id", "is required")
	case !q.From.Valid():
		return nil, invalid("from", "is not a valid date")
	case !q.To.Valid():
		return nil, invalid("to", "is not a valid date")
	case q.To.Before(q.From):
		return nil, invalid("to", "is before from")
	case q.Limit < 1 || q.Limit > MaxHistoryPage:
		return nil, invalid("limit", fmt.Sprintf("must be from 1 to %d", MaxHistoryPage))
	}
	return s.store.History(ctx, q)
}

// TrialBalance lists the debit and credit balances of every account in the
// currency at one moment. Double entry makes Debits equal Credits.
func (s *Service) TrialBalance(ctx context.Context, c money.Currency) (TrialBalance, error) {
	if !c.Valid() {
		return TrialBalance{}, invalid("currency", fmt.Sprintf("unknown currency %q", c))
	}
	accounts, err := s.store.AccountBalances(ctx, c)
	if err != nil {
		return TrialBalance{}, err
	}
	tb := TrialBalance{Currency: c, Debits: money.Zero(c), Credits: money.Zero(c), Accounts: len(accounts)}
	for _, a := range accounts {
		debitSide := a.Balance.Amount
		if a.NormalSide == Credit {
			debitSide = debitSide.Neg()
		}
		if debitSide.IsPositive() {
			tb.Debits.Amount = tb.Debits.Amount.Add(debitSide)
		} else {
			tb.Credits.Amount = tb.Credits.Amount.Sub(debitSide)
		}
	}
	tb.Difference = money.Money{Amount: tb.Debits.Amount.Sub(tb.Credits.Amount), Currency: c}
	return tb, nil
}
