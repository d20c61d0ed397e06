package wealthtest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// Ledger is a fake of wealth.Ledger: demand accounts with balances and
// holds, chart accounts by currency and code, entries posted once per
// key. It refuses as the real adapter does (ErrRefused) and is safe for
// concurrent use.
type Ledger struct {
	mu       sync.Mutex
	accounts map[wealth.ID]*Account
	holds    map[wealth.ID]*hold
	holdKeys map[string]wealth.ID
	keys     map[string]bool
	charts   map[string]money.Money // currency/code -> balance in normal-side terms
	// Fail, when set, is returned by the next ledger call that moves money,
	// once, with nothing done: an outage mid-step.
	Fail error
	// Posted counts the entries and captures posted.
	Posted    int
	failAfter int
}

// FailAfter makes the ledger call that moves money after the next n
// fail with err, once, with nothing done.
func (l *Ledger) FailAfter(n int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Fail, l.failAfter = err, n
}

// Account is a demand account of the fake ledger.
type Account struct {
	ID       wealth.ID
	Owner    wealth.ID
	Currency money.Currency
	Balance  money.Money
	Held     money.Money
	Closed   bool
}

type hold struct {
	account wealth.ID
	amount  money.Money
	active  bool
}

// NewLedger returns an empty fake ledger.
func NewLedger() *Ledger {
	return &Ledger{accounts: map[wealth.ID]*Account{}, holds: map[wealth.ID]*hold{}, holdKeys: map[string]wealth.ID{},
		keys: map[string]bool{}, charts: map[string]money.Money{}}
}

var _ wealth.Ledger = (*Ledger)(nil)

// Open opens a demand account of owner with a balance.
func (l *Ledger) Open(owner wealth.ID, balance money.Money) wealth.ID {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := &Account{ID: wealth.NewID(), Owner: owner, Currency: balance.Currency, Balance: balance, Held: money.Zero(balance.Currency)}
	l.accounts[a.ID] = a
	return a.ID
}

// Close closes an account: it takes no more entries.
func (l *Ledger) Close(id wealth.ID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accounts[id].Closed = true
}

// Account returns a copy of the account.
func (l *Ledger) Account(id wealth.ID) Account {
	l.mu.Lock()
	defer l.mu.Unlock()
	return *l.accounts[id]
}

// Chart returns a chart account's balance in normal-side terms.
func (l *Ledger) Chart(c money.Currency, code string) money.Money {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m, ok := l.charts[string(c)+"/"+code]; ok {
		return m
	}
	return money.Zero(c)
}

func (l *Ledger) fail() error {
	if l.failAfter > 0 {
		l.failAfter--
		return nil
	}
	if err := l.Fail; err != nil {
		l.Fail = nil
		return err
	}
	return nil
}

// CheckDemandAccount implements wealth.Ledger.
func (l *Ledger) CheckDemandAccount(_ context.Context, account, customer wealth.ID, c money.Currency) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[account]
	if !ok || a.Owner != customer || a.Currency != c || a.Closed {
		return fmt.Errorf("%w: account %s is not an active %s demand account of %s", wealth.ErrRefused, account, c, customer)
	}
	return nil
}

// PlaceHold implements wealth.Ledger.
func (l *Ledger) PlaceHold(_ context.Context, r wealth.HoldRequest) (wealth.ID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id, ok := l.holdKeys[r.Key]; ok {
		return id, nil
	}
	if err := l.fail(); err != nil {
		return wealth.NilID, err
	}
	a, ok := l.accounts[r.Account]
	if !ok || a.Closed {
		return wealth.NilID, fmt.Errorf("%w: no account %s", wealth.ErrRefused, r.Account)
	}
	avail, _ := a.Balance.Sub(a.Held)
	if avail.Amount.LessThan(r.Amount.Amount) {
		return wealth.NilID, fmt.Errorf("%w: insufficient funds", wealth.ErrRefused)
	}
	a.Held, _ = a.Held.Add(r.Amount)
	id := wealth.NewID()
	l.holds[id] = &hold{account: a.ID, amount: r.Amount, active: true}
	l.holdKeys[r.Key] = id
	return id, nil
}

// CaptureHold implements wealth.Ledger.
func (l *Ledger) CaptureHold(_ context.Context, r wealth.CaptureRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.captureHold(r)
}

// CaptureHolds implements wealth.Ledger: the captures in turn; a failure
// set by Fail or FailAfter stops the batch there, with the captures
// before it done, as a real batch cut short leaves it unknown which
// posted.
func (l *Ledger) CaptureHolds(_ context.Context, rs []wealth.CaptureRequest) ([]error, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := make([]error, len(rs))
	for i, r := range rs {
		if r.Account == wealth.NilID {
			return nil, fmt.Errorf("capture %d: no account", i)
		}
		if h, ok := l.holds[r.Hold]; ok && h.account != r.Account && !l.keys[r.Key] {
			errs[i] = fmt.Errorf("%w: hold %s is not on account %s", wealth.ErrRefused, r.Hold, r.Account)
			continue
		}
		err := l.captureHold(r)
		if err != nil && !errors.Is(err, wealth.ErrRefused) {
			return nil, err
		}
		errs[i] = err
	}
	return errs, nil
}

// PostBatch implements wealth.Ledger: the entries in turn, a failure set
// by Fail or FailAfter stopping the batch as in CaptureHolds.
func (l *Ledger) PostBatch(_ context.Context, es []wealth.LedgerEntry) ([]error, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := make([]error, len(es))
	for i, e := range es {
		err := l.post(e)
		if err != nil && !errors.Is(err, wealth.ErrRefused) {
			return nil, err
		}
		errs[i] = err
	}
	return errs, nil
}

func (l *Ledger) captureHold(r wealth.CaptureRequest) error {
	if l.keys[r.Key] {
		return nil
	}
	if err := l.fail(); err != nil {
		return err
	}
	h, ok := l.holds[r.Hold]
	if !ok || !h.active {
		return fmt.Errorf("%w: hold %s is not active", wealth.ErrRefused, r.Hold)
	}
	if r.Amount.Amount.GreaterThan(h.amount.Amount) {
		return fmt.Errorf("%w: capture beyond the hold", wealth.ErrRefused)
	}
	a := l.accounts[h.account]
	a.Held, _ = a.Held.Sub(h.amount)
	a.Balance, _ = a.Balance.Sub(r.Amount)
	h.active = false
	l.chartAdd(r.Amount.Currency, r.ToChart, wealth.Credit, r.Amount)
	l.keys[r.Key] = true
	l.Posted++
	return nil
}

// ReleaseHold implements wealth.Ledger.
func (l *Ledger) ReleaseHold(_ context.Context, id wealth.ID) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.holds[id]
	if !ok {
		return fmt.Errorf("%w: no hold %s", wealth.ErrRefused, id)
	}
	if h.active {
		a := l.accounts[h.account]
		a.Held, _ = a.Held.Sub(h.amount)
		h.active = false
	}
	return nil
}

// HoldActive reports whether the hold is active.
func (l *Ledger) HoldActive(id wealth.ID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.holds[id]
	return ok && h.active
}

func normalSide(code string) wealth.Side {
	if side, ok := wealth.ChartNormalSide(code); ok {
		return side
	}
	return wealth.Credit // fees_income
}

func (l *Ledger) chartAdd(c money.Currency, code string, side wealth.Side, m money.Money) {
	k := string(c) + "/" + code
	b, ok := l.charts[k]
	if !ok {
		b = money.Zero(c)
	}
	if side == normalSide(code) {
		b, _ = b.Add(m)
	} else {
		b, _ = b.Sub(m)
	}
	l.charts[k] = b
}

// Post implements wealth.Ledger.
func (l *Ledger) Post(_ context.Context, e wealth.LedgerEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.post(e)
}

func (l *Ledger) post(e wealth.LedgerEntry) error {
	if l.keys[e.Key] {
		return nil
	}
	if err := l.fail(); err != nil {
		return err
	}
	var dr, cr money.Money
	for i, g := range e.Legs {
		if !g.Amount.IsPositive() {
			return fmt.Errorf("%w: leg %d is not positive", wealth.ErrRefused, i)
		}
		if i == 0 {
			dr, cr = money.Zero(g.Amount.Currency), money.Zero(g.Amount.Currency)
		}
		if g.Side == wealth.Debit {
			dr, _ = dr.Add(g.Amount)
		} else {
			cr, _ = cr.Add(g.Amount)
		}
		if g.Account != wealth.NilID {
			a, ok := l.accounts[g.Account]
			if !ok || a.Closed {
				return fmt.Errorf("%w: account %s", wealth.ErrRefused, g.Account)
			}
			if g.Side == wealth.Debit {
				avail, _ := a.Balance.Sub(a.Held)
				if avail.Amount.LessThan(g.Amount.Amount) {
					return fmt.Errorf("%w: insufficient funds", wealth.ErrRefused)
				}
			}
		}
	}
	if !dr.Equal(cr) {
		return fmt.Errorf("%w: unbalanced entry %s", wealth.ErrRefused, e.Key)
	}
	for _, g := range e.Legs {
		if g.Account != wealth.NilID {
			a := l.accounts[g.Account]
			if g.Side == wealth.Credit {
				a.Balance, _ = a.Balance.Add(g.Amount)
			} else {
				a.Balance, _ = a.Balance.Sub(g.Amount)
			}
			continue
		}
		l.chartAdd(g.Amount.Currency, g.Chart, g.Side, g.Amount)
	}
	l.keys[e.Key] = true
	l.Posted++
	return nil
}

// ChartBalance implements wealth.Ledger.
func (l *Ledger) ChartBalance(_ context.Context, c money.Currency, code string) (money.Money, error) {
	return l.Chart(c, code), nil
}

// Customers is a fake of wealth.Customers: every customer is verified
// unless marked otherwise.
type Customers struct {
	mu         sync.Mutex
	unverified map[wealth.ID]bool
}

// Unverify marks the customer's KYC as not verified.
func (c *Customers) Unverify(id wealth.ID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unverified == nil {
		c.unverified = map[wealth.ID]bool{}
	}
	c.unverified[id] = true
}

// KYCVerified implements wealth.Customers.
func (c *Customers) KYCVerified(_ context.Context, id wealth.ID) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == wealth.NilID {
		return false, errors.New("no customer")
	}
	return !c.unverified[id], nil
}
