package bank_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/refserver/bank"
)

// fakes is every port of the bank, faked in memory: enough of each
// subsystem's behaviour (ids, owners, idempotency keys, not-found) for the
// workflows, and a record of what each step did. Methods no test calls are
// left to the embedded nil ports, which panic.
type fakes struct {
	bank.Postings
	bank.Holds
	bank.Deposits
	bank.Customers
	complaintPort

	mu        sync.Mutex
	accounts  map[ledger.ID]ledger.Account
	opened    map[string]ledger.ID // OpenAccount's idempotency key → account
	entries   map[ledger.ID]ledger.Entry
	posted    map[string]ledger.ID // Transfer's idempotency key → entry
	earning   map[ledger.ID]string // account → interest product
	deposits  map[string]ledger.ID // OpenTimeDeposit's key → deposit account
	payments  map[ledger.ID]bank.InterbankTransfer
	sent      map[string]ledger.ID // SendOut's key → payment
	closed    []ledger.ID          // time deposits paid out
	customers map[customer.ID]customer.Masked
	links     map[string]customer.AccountLink // account → link
	logins    []channel.NewCustomerLogin
	// failLinks makes the next LinkAccount calls fail, as a crash would.
	failLinks int
}

// complaintPort embeds bank.Complaints under a name that does not hide its
// Complaints method.
type complaintPort = bank.Complaints

func newFakes() *fakes {
	return &fakes{accounts: map[ledger.ID]ledger.Account{}, opened: map[string]ledger.ID{}, entries: map[ledger.ID]ledger.Entry{},
		posted: map[string]ledger.ID{}, earning: map[ledger.ID]string{}, deposits: map[string]ledger.ID{},
		payments: map[ledger.ID]bank.InterbankTransfer{}, sent: map[string]ledger.ID{},
		customers: map[customer.ID]customer.Masked{}, links: map[string]customer.AccountLink{}}
}

func (f *fakes) ports() bank.Ports {
	return bank.Ports{Accounts: f, Postings: f, Holds: f, Deposits: f, Interbank: interbank{f}, Customers: f, Complaints: f, Logins: f}
}

var errNotFound = fmt.Errorf("fake: %w", ledger.ErrNotFound)

// Accounts.

func (f *fakes) BusinessDate(context.Context) (calendar.Date, error) {
	return calendar.MustParseDate("2025-03-14"), nil
}

func (f *fakes) OpenAccount(_ context.Context, r ledger.OpenAccountRequest) (ledger.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.opened[r.IdempotencyKey]; ok && r.IdempotencyKey != "" {
		return f.accounts[id], nil
	}
	if r.Class == ledger.ClassI {
		for _, held := range f.accounts {
			if held.OwnerID == r.OwnerID && held.Currency == r.Currency && held.Class == ledger.ClassI && held.Status != ledger.StatusClosed {
				return ledger.Account{}, ledger.ErrClassOneHeld
			}
		}
	}
	a := ledger.Account{ID: ledger.NewID(), OwnerID: r.OwnerID, Product: r.Product, Currency: r.Currency, Status: ledger.StatusActive,
		Class: r.Class, Bound: r.BoundAccountIDs}
	f.accounts[a.ID] = a
	f.opened[r.IdempotencyKey] = a.ID
	return a, nil
}

func (f *fakes) Account(_ context.Context, id ledger.ID) (ledger.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.accounts[id]
	if !ok {
		return ledger.Account{}, errNotFound
	}
	return a, nil
}

func (f *fakes) ListAccounts(_ context.Context, flt ledger.AccountFilter) ([]ledger.Account, ledger.ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ledger.Account
	for _, a := range f.accounts {
		if a.OwnerID == flt.OwnerID && flt.Matches(a) {
			out = append(out, a)
		}
	}
	return out, ledger.NilID, nil
}

func (f *fakes) History(context.Context, ledger.HistoryQuery) ([]ledger.StatementLine, error) {
	return nil, nil
}

func (f *fakes) Close(_ context.Context, id ledger.ID) (ledger.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accounts[id]
	a.Status = ledger.StatusClosed
	f.accounts[id] = a
	return a, nil
}

// Postings.

func (f *fakes) Entry(_ context.Context, id ledger.ID) (ledger.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[id]
	if !ok {
		return ledger.Entry{}, errNotFound
	}
	return e, nil
}

func (f *fakes) Transfer(_ context.Context, r ledger.TransferRequest) (ledger.Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.posted[r.IdempotencyKey]; ok && r.IdempotencyKey != "" {
		return ledger.Receipt{Entry: f.entries[id], Replayed: true}, nil
	}
	e := f.entry(ledger.KindTransfer, r.FromAccountID, r.ToAccountID)
	f.posted[r.IdempotencyKey] = e.ID
	return ledger.Receipt{Entry: e}, nil
}

func (f *fakes) entry(kind ledger.EntryKind, from, to ledger.ID) ledger.Entry {
	e := ledger.Entry{ID: ledger.NewID(), Kind: kind, Postings: []ledger.Posting{{AccountID: from, Side: ledger.Debit}, {AccountID: to, Side: ledger.Credit}}}
	f.entries[e.ID] = e
	return e
}

// Deposits.

func (f *fakes) DefineProduct(context.Context, string, interest.Product) error { return nil }

func (f *fakes) EarnInterest(_ context.Context, id ledger.ID, product string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.earning[id] = product
	return nil
}

func (f *fakes) OpenTimeDeposit(_ context.Context, t bank.TimeDeposit) (ledger.ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.deposits[t.IdempotencyKey]; ok && t.IdempotencyKey != "" {
		return id, nil
	}
	funding := f.accounts[t.FundingAccountID]
	d := ledger.Account{ID: ledger.NewID(), OwnerID: funding.OwnerID, Product: ledger.ProductTime, Currency: t.Principal.Currency,
		Status: ledger.StatusActive, Balance: t.Principal}
	f.accounts[d.ID] = d
	f.deposits[t.IdempotencyKey] = d.ID
	return d.ID, nil
}

func (f *fakes) CloseTimeDeposit(_ context.Context, id ledger.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = append(f.closed, id)
	a := f.accounts[id]
	a.Status = ledger.StatusClosed
	f.accounts[id] = a
	return nil
}

// Interbank.

func (f *fakes) SendOut(_ context.Context, p bank.Payment) (bank.InterbankTransfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.sent[p.IdempotencyKey]; ok && p.IdempotencyKey != "" {
		return f.payments[id], nil
	}
	e := f.entry(ledger.KindJournal, p.FromAccountID, ledger.NewID())
	t := bank.InterbankTransfer{ID: ledger.NewID(), EntryID: e.ID, FromAccountID: p.FromAccountID, To: p.To, Amount: p.Amount, Status: "pending_clearing"}
	f.payments[t.ID] = t
	f.sent[p.IdempotencyKey] = t.ID
	return t, nil
}

// interbank is the fakes as the Interbank port, whose Transfer reads a
// payment.
type interbank struct{ *fakes }

func (f interbank) TransferByRef(_ context.Context, r ledger.ExternalRef) (bank.InterbankTransfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.payments {
		if t.ExternalRef == r {
			return t, nil
		}
	}
	return bank.InterbankTransfer{}, fmt.Errorf("fake: %w", ledger.ErrNotFound)
}

func (f interbank) Transfer(_ context.Context, id ledger.ID) (bank.InterbankTransfer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.payments[id]
	if !ok {
		return bank.InterbankTransfer{}, fmt.Errorf("fake: %w", ledger.ErrNotFound)
	}
	return t, nil
}

// Customers and complaints.

func (f *fakes) Get(_ context.Context, id customer.ID) (customer.Masked, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.customers[id]
	if !ok {
		return customer.Masked{}, fmt.Errorf("fake: %w", customer.ErrNotFound)
	}
	return m, nil
}

func (f *fakes) LinkAccount(_ context.Context, cid customer.ID, accountID string, rel customer.Relationship) (customer.AccountLink, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failLinks > 0 {
		f.failLinks--
		return customer.AccountLink{}, errors.New("fake: connection lost")
	}
	if _, ok := f.links[accountID]; ok {
		return customer.AccountLink{}, fmt.Errorf("fake: %w", customer.ErrDuplicate)
	}
	l := customer.AccountLink{CustomerID: cid, AccountID: accountID, Relationship: rel}
	f.links[accountID] = l
	return l, nil
}

// Logins.

func (f *fakes) CreateCustomerLogin(_ context.Context, r channel.NewCustomerLogin) (channel.Identity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logins = append(f.logins, r)
	return channel.Identity{Username: r.Username, CustomerID: r.CustomerID}, nil
}
