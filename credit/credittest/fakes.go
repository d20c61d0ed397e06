package credittest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// Customers is a fake credit.Customers: a table of facts. Safe for
// concurrent use.
type Customers struct {
	mu    sync.Mutex
	facts map[credit.ID]credit.CustomerFacts
}

// Set records a customer's facts.
func (c *Customers) Set(id credit.ID, f credit.CustomerFacts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.facts == nil {
		c.facts = map[credit.ID]credit.CustomerFacts{}
	}
	c.facts[id] = f
}

// Facts implements credit.Customers; ErrNotFound for an unknown id.
func (c *Customers) Facts(_ context.Context, id credit.ID) (credit.CustomerFacts, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.facts[id]
	if !ok {
		return credit.CustomerFacts{}, fmt.Errorf("%w: customer %s", credit.ErrNotFound, id)
	}
	return f, nil
}

// ErrBureauDown is what Bureau answers while Down is set.
var ErrBureauDown = errors.New("bureau: connection refused")

// Bureau is a fake credit.Bureau: a table of reports; a customer not in it
// has no record (Hit false). Safe for concurrent use.
type Bureau struct {
	mu      sync.Mutex
	reports map[credit.ID]credit.BureauReport
	down    bool
}

// Set records a customer's report (Hit is set).
func (b *Bureau) Set(id credit.ID, r credit.BureauReport) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.reports == nil {
		b.reports = map[credit.ID]credit.BureauReport{}
	}
	r.Hit = true
	b.reports[id] = r
}

// Down makes every call fail with ErrBureauDown until Down(false).
func (b *Bureau) Down(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
}

// Report implements credit.Bureau.
func (b *Bureau) Report(_ context.Context, id credit.ID) (credit.BureauReport, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return credit.BureauReport{}, ErrBureauDown
	}
	return b.reports[id], nil
}

// Behaviour is a fake credit.Behaviour: a table of features; an unknown
// customer has the zero features. Safe for concurrent use.
type Behaviour struct {
	mu       sync.Mutex
	features map[credit.ID]credit.Features
}

// Set records a customer's features.
func (b *Behaviour) Set(id credit.ID, f credit.Features) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.features == nil {
		b.features = map[credit.ID]credit.Features{}
	}
	b.features[id] = f
}

// Features implements credit.Behaviour.
func (b *Behaviour) Features(_ context.Context, id credit.ID, _ calendar.Date) (credit.Features, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.features[id], nil
}

// ErrLedgerDown is what Ledger answers while it is down.
var ErrLedgerDown = errors.New("ledger: connection reset")

// Ledger is a fake credit.Ledger: demand and loan accounts with balances
// in their normal-side terms (a demand account may not go below zero, nor
// a loan account), the bank's accounts by chart code (credit less debit),
// and entries kept by key so a second Post replays. Safe for concurrent
// use.
type Ledger struct {
	mu       sync.Mutex
	accounts map[credit.ID]*fakeAccount
	chart    map[string]decimal.Decimal
	entries  map[string]credit.EntryRef
	posted   int
	// loseReply makes the next n Posts post and then fail, as a crash
	// between the ledger's commit and credit's record would.
	loseReply int
	// failPosts makes the next n Posts fail without posting.
	failPosts int
}

type fakeAccount struct {
	owner   credit.ID
	loan    bool
	cur     money.Currency
	balance decimal.Decimal
}

func (l *Ledger) init() {
	if l.accounts == nil {
		l.accounts, l.chart, l.entries = map[credit.ID]*fakeAccount{}, map[string]decimal.Decimal{}, map[string]credit.EntryRef{}
	}
}

// OpenDemand opens a demand account of the customer holding balance.
func (l *Ledger) OpenDemand(owner credit.ID, balance money.Money) credit.ID {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	id := credit.NewID()
	l.accounts[id] = &fakeAccount{owner: owner, cur: balance.Currency, balance: balance.Amount}
	return id
}

// LoseReplies makes the next n Posts post their entry and then fail.
func (l *Ledger) LoseReplies(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loseReply = n
}

// FailPosts makes the next n Posts fail without posting, as a ledger
// that cannot be reached would.
func (l *Ledger) FailPosts(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failPosts = n
}

// Posted is the number of entries posted (replays not counted).
func (l *Ledger) Posted() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.posted
}

// ChartBalance is a chart account's credits less its debits.
func (l *Ledger) ChartBalance(code string) decimal.Decimal {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	return l.chart[code]
}

// OpenLoanAccount implements credit.Ledger.
func (l *Ledger) OpenLoanAccount(_ context.Context, r credit.LoanAccountRequest) (credit.ID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	for id, a := range l.accounts {
		if a.loan && a.owner == r.LoanID {
			return id, nil
		}
	}
	id := credit.NewID()
	l.accounts[id] = &fakeAccount{owner: r.LoanID, loan: true, cur: r.Currency}
	return id, nil
}

// CheckDemandAccount implements credit.Ledger.
func (l *Ledger) CheckDemandAccount(_ context.Context, account, customer credit.ID, c money.Currency) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	a, ok := l.accounts[account]
	if !ok || a.loan || a.owner != customer || a.cur != c {
		return fmt.Errorf("%w: %s is not a %s demand account of customer %s", credit.ErrRefused, account, c, customer)
	}
	return nil
}

// Post implements credit.Ledger.
func (l *Ledger) Post(_ context.Context, e credit.LedgerEntry) (credit.EntryRef, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	if l.failPosts > 0 {
		l.failPosts--
		return "", ErrLedgerDown
	}
	if ref, ok := l.entries[e.Key]; ok {
		return ref, nil
	}
	net := decimal.Zero
	accounts := map[credit.ID]decimal.Decimal{}
	chart := map[string]decimal.Decimal{}
	for _, g := range e.Legs {
		credit := g.Amount.Amount
		if g.Side == "debit" {
			credit = credit.Neg()
		}
		net = net.Add(credit)
		if g.Chart != "" {
			chart[g.Chart] = chart[g.Chart].Add(credit)
			continue
		}
		a, ok := l.accounts[g.Account]
		if !ok {
			return "", fmt.Errorf("%w: no account %s", errRefused, g.Account)
		}
		if a.loan {
			credit = credit.Neg() // debit-normal
		}
		accounts[g.Account] = accounts[g.Account].Add(credit)
	}
	if !net.IsZero() {
		return "", fmt.Errorf("%w: entry %s does not balance", errRefused, e.Key)
	}
	for id, d := range accounts {
		if l.accounts[id].balance.Add(d).IsNegative() {
			return "", fmt.Errorf("%w: insufficient funds in %s", errRefused, id)
		}
	}
	for id, d := range accounts {
		l.accounts[id].balance = l.accounts[id].balance.Add(d)
	}
	for code, d := range chart {
		l.chart[code] = l.chart[code].Add(d)
	}
	ref := credit.EntryRef(credit.NewID().String())
	l.entries[e.Key] = ref
	l.posted++
	if l.loseReply > 0 {
		l.loseReply--
		return "", ErrLedgerDown
	}
	return ref, nil
}

var errRefused = credit.ErrRefused

// Balance implements credit.Ledger.
func (l *Ledger) Balance(_ context.Context, account credit.ID) (money.Money, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	a, ok := l.accounts[account]
	if !ok {
		return money.Money{}, fmt.Errorf("%w: account %s", credit.ErrNotFound, account)
	}
	return money.Money{Amount: a.balance, Currency: a.cur}, nil
}

// debitNormal are the chart accounts whose normal side is the debit.
var debitNormal = map[string]bool{credit.ChartVaultCash: true, credit.ChartInterestReceivable: true, credit.ChartFeesReceivable: true,
	credit.ChartLoanLosses: true, credit.ChartProvisionExpense: true}

// ChartAccountBalance implements credit.ChartBalances: the chart
// account's balance in its normal-side terms (the fake keeps one per
// code).
func (l *Ledger) ChartAccountBalance(_ context.Context, chart string, c money.Currency) (money.Money, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	b := l.chart[chart]
	if debitNormal[chart] {
		b = b.Neg()
	}
	return money.Money{Amount: b, Currency: c}, nil
}

var _ credit.ChartBalances = (*Ledger)(nil)

// BusinessDay is a fake of credit.BusinessDates: the date it is set to,
// or a failure.
type BusinessDay struct {
	mu   sync.Mutex
	date calendar.Date
	down bool
}

// Set makes d the business date.
func (b *BusinessDay) Set(d calendar.Date) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.date = d
}

// Down makes every read fail (or succeed again).
func (b *BusinessDay) Down(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
}

// BusinessDate implements credit.BusinessDates.
func (b *BusinessDay) BusinessDate(context.Context) (calendar.Date, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return calendar.Date{}, errors.New("credittest: business date unavailable")
	}
	return b.date, nil
}
